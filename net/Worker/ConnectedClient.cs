using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// One RESP client connection as CLIENT LIST, CLIENT INFO and CLIENT KILL see it (a <see cref="ClientRegistry"/>
/// entry): its id, addresses and descriptor, fixed once connected; its name, library, protocol version, last
/// command and last activity, which its session sets as they change. The session writes on the connection's loop;
/// other connections read from theirs: each property is one reference or one 64-bit value, read whole, and a value
/// a moment old is all CLIENT LIST promises.
/// </summary>
public sealed class ConnectedClient
{
    /// <summary>What Redis prints for an address it cannot tell.</summary>
    private const string UnknownAddress = "?:0";

    /// <summary>A client created now (<see cref="Environment.TickCount64"/>).</summary>
    public ConnectedClient(long id)
        : this(id, Environment.TickCount64)
    {
    }

    /// <summary>A client created at <paramref name="createdMs"/> (<see cref="Environment.TickCount64"/>'s clock).</summary>
    public ConnectedClient(long id, long createdMs)
    {
        Id = id;
        CreatedMs = createdMs;
        LastInteractionMs = createdMs;
    }

    /// <summary>CLIENT ID.</summary>
    public long Id { get; }

    /// <summary>When the client connected, in milliseconds of <see cref="Environment.TickCount64"/> (age=).</summary>
    public long CreatedMs { get; }

    /// <summary>When a request last arrived, same clock (idle=); set once per read, not per request.</summary>
    public long LastInteractionMs { get; set; }

    /// <summary>The command last run, as Redis's lastcmd: null before any, or after an unknown one (cmd=NULL).</summary>
    public CommandInfo? LastCommand { get; set; }

    /// <summary>CLIENT SETNAME's name, or null.</summary>
    public byte[]? Name { get; set; }

    /// <summary>CLIENT SETINFO LIB-NAME's value, or null.</summary>
    public byte[]? LibraryName { get; set; }

    /// <summary>CLIENT SETINFO LIB-VER's value, or null.</summary>
    public byte[]? LibraryVersion { get; set; }

    /// <summary>The protocol the client chose with HELLO (resp=).</summary>
    public RespVersion Version { get; set; } = RespVersion.Resp2;

    /// <summary>The peer's "ip:port" (addr=), "[ip]:port" for IPv6, as Redis formats it; "?:0" when unknown.</summary>
    public string Address { get; private set; } = UnknownAddress;

    /// <summary>The server's "ip:port" the client connected to (laddr=); "?:0" when unknown.</summary>
    public string LocalAddress { get; private set; } = UnknownAddress;

    /// <summary>The socket's descriptor (fd=); -1 without a connection.</summary>
    public int Descriptor { get; private set; } = -1;

    /// <summary>The connection, once known (<see cref="Connect"/>): what CLIENT KILL closes.</summary>
    public IClientConnection? Connection { get; private set; }

    /// <summary>Takes the connection's addresses and descriptor; once, before the client is registered.</summary>
    public void Connect(IClientConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Connection = connection;
        Address = FormatAddress(connection.RemoteEndPoint);
        LocalAddress = FormatAddress(connection.LocalEndPoint);
        Descriptor = connection.Descriptor;
    }

    /// <summary>Closes the client's connection (CLIENT KILL), from any thread; nothing without one.</summary>
    public void Kill() => Connection?.Kill();

    /// <summary>
    /// Appends the client's line of CLIENT LIST and CLIENT INFO, newline included, in Redis 7.0.15's fields and
    /// order (catClientInfoString), then lib-name and lib-ver as Redis 7.2 adds them (CLIENT SETINFO is 7.2's).
    /// What Redis measures and this server does not keep (buffers, memory) shows 0; <paramref name="nowMs"/> is
    /// <see cref="Environment.TickCount64"/>'s clock.
    /// </summary>
    public void AppendInfo(StringBuilder text, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(text);
        CultureInfo invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"id={Id} addr={Address} laddr={LocalAddress} fd={Descriptor} name=");
        AppendAscii(text, Name);
        text.Append(invariant, $" age={Seconds(nowMs - CreatedMs)} idle={Seconds(nowMs - LastInteractionMs)}");
        text.Append(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0");
        text.Append(" obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=").Append(LastCommand?.Name ?? "NULL");
        text.Append(invariant, $" user=default redir=-1 resp={(int)Version} lib-name=");
        AppendAscii(text, LibraryName);
        text.Append(" lib-ver=");
        AppendAscii(text, LibraryVersion);
        text.Append('\n');
    }

    /// <summary>Whole seconds of a span in milliseconds; never negative.</summary>
    private static long Seconds(long milliseconds) => Math.Max(0, milliseconds) / 1000;

    /// <summary>A name or library value: printable ASCII without spaces (its setter checked), or nothing.</summary>
    private static void AppendAscii(StringBuilder text, byte[]? value)
    {
        if (value is not null)
        {
            text.Append(Encoding.ASCII.GetString(value));
        }
    }

    /// <summary>
    /// Redis's anetFormatAddr: "ip:port", or "[ip]:port" for an IPv6 address; an IPv4 address mapped into IPv6
    /// shows as IPv4, and an IPv6 scope is left out, as inet_ntop leaves it. "?:0" when <paramref name="endPoint"/>
    /// is null, as Redis prints an address it could not read.
    /// </summary>
    public static string FormatAddress(IPEndPoint? endPoint)
    {
        if (endPoint is null)
        {
            return UnknownAddress;
        }
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        string port = endPoint.Port.ToString(CultureInfo.InvariantCulture);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address + ":" + port;
        }
        string text = address.ToString();
        int scope = text.IndexOf('%', StringComparison.Ordinal);
        return "[" + (scope < 0 ? text : text[..scope]) + "]:" + port;
    }
}
