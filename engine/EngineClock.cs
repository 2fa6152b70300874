namespace EchoCache.Engine;

/// <summary>
/// The engine's notion of time, in Unix milliseconds. Injectable so expiry can be tested on a fake clock.
/// The engine asks the clock only when an item carries an expiry time, so items without one cost no clock read.
/// </summary>
public abstract class EngineClock
{
    /// <summary>The wall clock.</summary>
    public static EngineClock System { get; } = new SystemEngineClock();

    /// <summary>Now, in milliseconds since 1970-01-01 UTC.</summary>
    public abstract long UnixMilliseconds { get; }
}
