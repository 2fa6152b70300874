namespace EchoCache.Net.Server;

/// <summary>Settings of a <see cref="SocketServer"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>
    /// Client connections served at once. One more is answered "max number of clients reached" in the protocol of its
    /// first byte and closed (<see cref="MaxClientsRefusal"/>). Default 10,000, as Redis's maxclients.
    /// </summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// A client connection that completes no request and is sent no reply byte for this long is closed (Redis's
    /// <c>timeout</c>, counted from progress rather than from any byte, so a request trickled a byte at a time counts
    /// as idle). Checked once a second, so a connection goes after this long plus up to a second. Zero (the default, as
    /// in Redis): never. Orchestrator links on a worker are exempt (<see cref="IClientConnection.ExemptFromIdleTimeout"/>).
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

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
