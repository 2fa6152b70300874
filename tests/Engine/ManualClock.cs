using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualClock(long startUnixMs = 1_800_000_000_000) : EngineClock
{
    private long _now = startUnixMs;

    public override long UnixMilliseconds => Interlocked.Read(ref _now);

    public void Advance(long milliseconds) => Interlocked.Add(ref _now, milliseconds);
}
