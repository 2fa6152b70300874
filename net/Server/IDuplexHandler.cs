namespace EchoCache.Net.Server;

/// <summary>
/// A protocol whose replies complete later, on other threads (the orchestrator: each request waits for
/// workers). The connection's receive side hands it bytes to dispatch; its send side takes whatever replies
/// are ready, in order, whenever the handler says some are (<see cref="IDuplexChannel.Wake"/>).
/// </summary>
public interface IDuplexHandler
{
    /// <summary>Called once, before any other call, with the channel to wake the connection through.</summary>
    void Attach(IDuplexChannel channel);

    /// <summary>
    /// Dispatches the complete requests at the start of <paramref name="input"/>; returns the bytes consumed
    /// (0 when the first is incomplete). Called on the receive side only, never concurrently with itself.
    /// </summary>
    int Process(ReadOnlySpan<byte> input);

    /// <summary>Whether the connection may read more now; false while too many replies are outstanding.</summary>
    bool CanReceive { get; }

    /// <summary>Moves the replies ready to go, in order, into <paramref name="output"/>. Any thread.</summary>
    void TakeReady(OutputBuffer output);

    /// <summary>Set after QUIT or a protocol error: once everything ready is sent, the connection closes.</summary>
    bool CloseRequested { get; }

    /// <summary>Whether replies are still outstanding (the connection closes only after they are sent).</summary>
    bool HasOutstanding { get; }

    /// <summary>
    /// Called about once a second on the connection's loop (never concurrently with <see cref="Process"/>): gives
    /// back memory a past burst left behind.
    /// </summary>
    void Housekeep();

    /// <summary>Called once when the connection has closed.</summary>
    void OnClosed();
}
