namespace EchoCache.Tests.Net.Security;

/// <summary>A monotonic clock that stands still until the test moves it (one tick a microsecond).</summary>
internal sealed class StepClock : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan time) => Interlocked.Add(ref _ticks, (long)time.TotalMicroseconds);
}
