namespace EchoCache.Net.Server;

/// <summary>Settings of a <see cref="SocketServer"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>Connections served at once; one more is accepted and closed at once. Default 10,000.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Receive buffer of a connection when idle. Default 16 KiB.</summary>
    public int ReceiveBufferSize { get; init; } = 16 * 1024;

    /// <summary>
    /// Largest single request a connection may buffer while it arrives: RESP's request cap (128 MiB, e.g. an
    /// MSET of large values) and a little room. A parser rejects longer lengths from the header first; this
    /// bounds what a peer can make the server hold. Default 129 MiB.
    /// </summary>
    public int MaxRequestSize { get; init; } = Protocol.RespLimits.MaxRequestLength + (1 << 20);

    /// <summary>Replies written before the handler pauses to let them drain. Default 256 KiB.</summary>
    public int OutputHighWater { get; init; } = 256 * 1024;
}
