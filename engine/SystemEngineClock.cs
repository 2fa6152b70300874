namespace EchoCache.Engine;

/// <summary>
/// The wall clock, read on every call (the engine asks only when an item carries an expiry). It follows the system
/// clock as Redis's expiry does, setting the clock included: a clock derived from the monotonic counter and one
/// wall-clock reading at start was tried and could read a millisecond behind the wall clock a client reads on the
/// same machine (whenever the two readings at start were split by a thread switch), so an absolute expiry the client
/// computed from its own clock read back as a longer time to live than it set.
/// </summary>
internal sealed class SystemEngineClock : EngineClock
{
    public override long UnixMilliseconds => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
