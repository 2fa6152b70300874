using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Load.Flood;

/// <summary>
/// One RESP INFO of a server, its <c>name:value</c> lines as a dictionary (the orchestrator's includes
/// <c>evicted_keys</c>, <c>workers_up</c> and one <c>worker&lt;i&gt;_stats:items=…,evictions=…,memory_used=…</c> line per
/// worker). Every socket operation has a timeout.
/// </summary>
public sealed class ServerInfo
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, string> _fields;

    private ServerInfo(Dictionary<string, string> fields) => _fields = fields;

    /// <summary>A field's value; null when INFO has no such line.</summary>
    public string? this[string name] => _fields.GetValueOrDefault(name);

    /// <summary>A numeric field, or -1 when missing.</summary>
    public long Number(string name) =>
        long.TryParse(this[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : -1;

    /// <summary>
    /// A number inside a field of comma-separated <c>key=value</c> parts (<c>worker0_stats</c>'s <c>evictions</c>), or -1.
    /// </summary>
    public long Part(string name, string part)
    {
        foreach (string item in (this[name] ?? "").Split(','))
        {
            int equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && item.AsSpan(0, equals).SequenceEqual(part)
                && long.TryParse(item.AsSpan(equals + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }
        }
        return -1;
    }

    /// <summary>Asks the server at <paramref name="server"/> for INFO.</summary>
    public static ServerInfo Read(IPEndPoint server)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        using (var connecting = new CancellationTokenSource(Timeout))
        {
            socket.ConnectAsync(server, connecting.Token).AsTask().GetAwaiter().GetResult();
        }
        socket.Send("*1\r\n$4\r\nINFO\r\n"u8);
        var received = new List<byte>();
        byte[] buffer = new byte[64 * 1024];
        int length = -1, headerEnd = -1;
        while (length < 0 || received.Count < headerEnd + length + 2)
        {
            int read = socket.Receive(buffer);
            if (read == 0)
            {
                throw new IOException("the server closed the connection before INFO's reply ended");
            }
            received.AddRange(buffer.AsSpan(0, read));
            if (length < 0)
            {
                int newline = received.IndexOf((byte)'\n');
                if (newline > 0)
                {
                    string header = Encoding.ASCII.GetString([.. received.GetRange(0, newline - 1)]);
                    if (!header.StartsWith('$') || !int.TryParse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out length))
                    {
                        throw new IOException($"INFO answered {header}");
                    }
                    headerEnd = newline + 1;
                }
            }
        }
        string text = Encoding.UTF8.GetString([.. received.GetRange(headerEnd, length)]);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith('#'))
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }
        return new ServerInfo(fields);
    }
}
