namespace EchoCache.Net.Server;

/// <summary>
/// What a <see cref="IDuplexHandler"/> may ask of its connection, from any thread: what any handler may
/// (<see cref="IClientConnection"/>), and waking it.
/// </summary>
public interface IDuplexChannel : IClientConnection
{
    /// <summary>Replies are ready, or receiving may resume: the connection sends and reads as it can.</summary>
    void Wake();
}
