using System.Diagnostics;

namespace EchoCache.Engine;

/// <summary>
/// Wall-clock time computed from the monotonic timestamp counter and one wall-clock reading at start:
/// cheaper than <see cref="DateTime.UtcNow"/> per call and never steps backwards when the system clock is set.
/// </summary>
internal sealed class SystemEngineClock : EngineClock
{
    private readonly long _startUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    public override long UnixMilliseconds =>
        _startUnixMs + (long)Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;
}
