using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Security;

/// <summary>
/// Who may use one server (a worker or the orchestrator), shared by all its connections: the default user's password,
/// if one is set, which a connection must give (AUTH, HELLO … AUTH, the binary AUTH) before anything but AUTH, HELLO,
/// PING and QUIT; the limits on failed attempts (<see cref="AuthFailureLimiter"/>, and
/// <see cref="MaxFailuresPerConnection"/>); and Redis's protected mode, which refuses clients not on the loopback
/// interface while no password is set. Each session keeps its own "authenticated" flag; this holds no per-connection
/// state. See docs/operations.md, "Passwords".
/// </summary>
public sealed class AccessControl
{
    /// <summary>Failed AUTH attempts after which a connection is closed (the tenth failure's reply is its last).</summary>
    public const int DefaultMaxFailuresPerConnection = 10;

    private readonly Password? _password;
    private readonly AuthFailureLimiter _limiter;

    /// <summary>No password and no protected mode: every client is authenticated from its first byte (tests, tools).</summary>
    public static AccessControl Open { get; } = new(null, protectedMode: false);

    /// <summary>
    /// A server whose default user needs <paramref name="password"/> (null: none, Redis's "nopass"). With
    /// <paramref name="protectedMode"/> and no password, clients from anywhere but 127.0.0.1 and ::1 are refused.
    /// </summary>
    public AccessControl(Password? password, bool protectedMode, AuthFailureLimiter? limiter = null,
        int maxFailuresPerConnection = DefaultMaxFailuresPerConnection)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailuresPerConnection, 1);
        _password = password;
        _limiter = limiter ?? new AuthFailureLimiter();
        RefusesRemoteClients = protectedMode && password is null;
        MaxFailuresPerConnection = maxFailuresPerConnection;
    }

    /// <summary>Whether a connection must authenticate before it may run commands.</summary>
    public bool RequiresPassword => _password is not null;

    /// <summary>Protected mode is in force: no password, and clients not on the loopback interface are refused.</summary>
    public bool RefusesRemoteClients { get; }

    /// <summary>Failed attempts after which a connection is closed.</summary>
    public int MaxFailuresPerConnection { get; }

    /// <summary>
    /// Whether a client from <paramref name="remote"/> may connect: always, unless <see cref="RefusesRemoteClients"/>;
    /// then only from 127.0.0.1 or ::1 (an IPv4-mapped 127.0.0.1 too), exactly as Redis's islocalClient: another
    /// 127.x.y.z address is not "local". An address the socket could not tell (null) is refused.
    /// </summary>
    public bool Admits(IPEndPoint? remote)
    {
        if (!RefusesRemoteClients)
        {
            return true;
        }
        if (remote is null)
        {
            return false;
        }
        IPAddress address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        return address.AddressFamily == AddressFamily.InterNetwork
            ? address.Equals(IPAddress.Loopback)
            : address.Equals(IPAddress.IPv6Loopback);
    }

    /// <summary>
    /// Checks <paramref name="user"/> and <paramref name="password"/> against the default user's password (call only
    /// when <see cref="RequiresPassword"/>). A failure, refused or wrong, adds one to the connection's
    /// <paramref name="failures"/>; the caller closes the connection once they reach <see cref="MaxFailuresPerConnection"/>.
    /// </summary>
    public AuthOutcome Authenticate(ReadOnlySpan<byte> user, ReadOnlySpan<byte> password, ref int failures)
    {
        Password expected = _password ?? throw new InvalidOperationException("no password is configured");
        if (!_limiter.TryTake())
        {
            failures++;
            return AuthOutcome.Limited;
        }
        // The password is hashed whatever the user, so an unknown user takes as long as a wrong password.
        bool matches = expected.Matches(password);
        if (matches && user.SequenceEqual(DefaultUser))
        {
            _limiter.Return();
            return AuthOutcome.Ok;
        }
        failures++;
        return AuthOutcome.WrongPassword;
    }

    /// <summary>Whether a connection with <paramref name="failures"/> failed attempts is to be closed.</summary>
    public bool MustClose(int failures) => failures >= MaxFailuresPerConnection;

    /// <summary>The one user there is: Redis's "default".</summary>
    public static ReadOnlySpan<byte> DefaultUser => "default"u8;

    /// <summary>Redis's reply to a command before authentication (without the leading '-').</summary>
    public static ReadOnlySpan<byte> NoAuthMessage => "NOAUTH Authentication required."u8;

    /// <summary>Redis's reply to a wrong user or password.</summary>
    public static ReadOnlySpan<byte> WrongPassMessage => "WRONGPASS invalid username-password pair or user is disabled."u8;

    /// <summary>Our reply while the server refuses attempts unchecked (Redis has no such limit).</summary>
    public static ReadOnlySpan<byte> LimitedMessage => "ERR too many failed AUTH attempts, try again later"u8;

    /// <summary>The error message of a failed <paramref name="outcome"/> (empty for <see cref="AuthOutcome.Ok"/>).</summary>
    public static ReadOnlySpan<byte> MessageOf(AuthOutcome outcome) => outcome switch
    {
        AuthOutcome.WrongPassword => WrongPassMessage,
        AuthOutcome.Limited => LimitedMessage,
        _ => default,
    };

    /// <summary>The binary reply status of <paramref name="outcome"/>.</summary>
    public static BinaryStatus BinaryStatusOf(AuthOutcome outcome) => outcome switch
    {
        AuthOutcome.Ok => BinaryStatus.Ok,
        AuthOutcome.Limited => BinaryStatus.Busy,
        _ => BinaryStatus.AuthFailed,
    };

    /// <summary>
    /// Redis 7's protected-mode refusal (networking.c, clientAcceptHandler), its remedies changed to this server's
    /// options (no CONFIG SET here). Without the leading '-' and the CRLF.
    /// </summary>
    public static ReadOnlySpan<byte> DeniedMessage =>
        "DENIED Echo Cache is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Echo Cache you may adopt one of the following solutions: 1) Restart the server with the '--protected-mode no' option, however MAKE SURE it is not publicly accessible from internet if you do so. 2) Setup an authentication password for the default user: restart the server with '--requirepass-file <file>', '--requirepass <password>' or the ECHO_CACHE_PASSWORD environment variable. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."u8;

    private static readonly byte[] RespDenied = CreateRespDenied();
    private static readonly byte[] BinaryDenied = CreateBinaryDenied();

    /// <summary>
    /// What a refused client gets before the connection closes, in the protocol its first byte chose: RESP's
    /// <c>-DENIED …</c> error line, or a binary connection-error frame (opcode 0x00, status AUTH_REQUIRED) carrying the
    /// same text.
    /// </summary>
    public static ReadOnlySpan<byte> DeniedReply(bool binary) => binary ? BinaryDenied : RespDenied;

    private static byte[] CreateRespDenied()
    {
        byte[] reply = new byte[DeniedMessage.Length + 3];
        RespWriter.TryWriteError(DeniedMessage, reply, out int written);
        return reply[..written];
    }

    private static byte[] CreateBinaryDenied()
    {
        byte[] reply = new byte[BinaryProtocol.HeaderSize + DeniedMessage.Length];
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.ConnectionError, Status = BinaryStatus.AuthRequired };
        BinaryCodec.TryWriteReply(header, default, DeniedMessage, reply, out int written);
        return reply[..written];
    }

    /// <summary>
    /// Whether <paramref name="input"/> starts with a binary frame header announcing a body over 16 KiB (RESP's cap on a
    /// bulk string before AUTH, <see cref="RespLimits.MaxUnauthenticatedBulkLength"/>); if so, <paramref name="reply"/>
    /// is the header of its refusal (TOO_LARGE, the request's opcode and id). Before AUTH such a frame is refused
    /// before its body is read and the connection closed, so an unauthenticated client cannot make the server buffer
    /// 64 MiB.
    /// </summary>
    public static bool IsFrameTooLargeBeforeAuth(ReadOnlySpan<byte> input, out BinaryFrameHeader reply)
    {
        reply = default;
        if (input.Length < BinaryProtocol.HeaderSize
            || (ulong)BinaryFrameHeader.KeyLengthOf(input) + BinaryFrameHeader.ValueLengthOf(input) <= RespLimits.MaxUnauthenticatedBulkLength)
        {
            return false;
        }
        reply = BinaryFrameHeader.Read(input, 0).ReplyWith(BinaryStatus.TooLarge);
        return true;
    }

    /// <summary>The reason given with a frame over the cap before AUTH.</summary>
    public static ReadOnlySpan<byte> FrameTooLargeMessage => "a frame over 16 KiB before AUTH"u8;
}
