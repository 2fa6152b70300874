namespace EchoCache.Net.Server;

/// <summary>
/// The seam between the socket loop and a protocol: the loop hands in the bytes received so far, the handler
/// executes every complete request in them and writes the replies. One handler serves one connection and is
/// never called concurrently with itself.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>Called once, before any other call, with the connection the handler serves.</summary>
    void Attach(IClientConnection connection);

    /// <summary>
    /// Executes the complete requests at the start of <paramref name="input"/> and writes their replies to
    /// <paramref name="output"/>. Returns the bytes consumed: 0 when the first request is incomplete.
    /// Stops early, leaving the rest unconsumed, once <see cref="OutputBuffer.IsFull"/>; the loop sends what
    /// was written and calls again.
    /// </summary>
    int Process(ReadOnlySpan<byte> input, OutputBuffer output);

    /// <summary>
    /// Called when the output has drained while <see cref="IsStreaming"/>: writes the next part of a long
    /// reply (a snapshot stream). The loop reads no new request until streaming ends.
    /// </summary>
    void ContinueStream(OutputBuffer output);

    /// <summary>Whether a long reply is still being produced.</summary>
    bool IsStreaming { get; }

    /// <summary>Set after a protocol error or QUIT: the loop sends what is written, then closes.</summary>
    bool CloseRequested { get; }

    /// <summary>Called once when the connection closes, for any reason.</summary>
    void OnClosed();
}
