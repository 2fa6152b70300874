using System.Diagnostics;

namespace EchoCache.Engine;

/// <summary>
/// Wall-clock time computed from the monotonic timestamp counter and one wall-clock reading at start:
/// cheaper than <see cref="DateTime.UtcNow"/> per call and never steps backwards when the system clock is set.
/// </summary>
/// <remarks>
/// The start is kept in 100 ns ticks and the sum rounded down to milliseconds once: rounding the start and the
/// elapsed time down separately put the clock up to 2 ms behind the wall clock, so an absolute expiry a client
/// computed from its own clock read back as a longer time to live than it set. The wall-clock reading is paired
/// with the counter read halfway between two counter readings around it, the closest of a few tries, so a thread
/// switch (or the counter's first use) between the two readings does not set the clock back either.
/// </remarks>
internal sealed class SystemEngineClock : EngineClock
{
    private readonly long _startUnixTicks;
    private readonly long _startTimestamp;

    public SystemEngineClock()
    {
        long gap = long.MaxValue;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long before = Stopwatch.GetTimestamp();
            long wall = DateTime.UtcNow.Ticks;
            long after = Stopwatch.GetTimestamp();
            if (after - before < gap)
            {
                gap = after - before;
                _startUnixTicks = wall - DateTime.UnixEpoch.Ticks;
                _startTimestamp = before + (gap / 2);
            }
        }
    }

    public override long UnixMilliseconds =>
        (_startUnixTicks + Stopwatch.GetElapsedTime(_startTimestamp).Ticks) / TimeSpan.TicksPerMillisecond;
}
