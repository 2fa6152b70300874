using System.Diagnostics;
using EchoCache.Net.Protocol;
using HdrHistogram;

namespace EchoCache.Load;

/// <summary>
/// Records every reply of a phase, from any thread: the latency from the request's intended send time (its slot
/// on the open-loop timetable; the send time in a closed loop), which is what a caller waiting on that timetable
/// sees and so does not hide a stall (coordinated omission); the service time from the actual send; the send lag
/// (actual send − intended, the scheduler's own delay, 0 in a closed loop); and the outcome counts. <see cref="TakeInterval"/> swaps out what was recorded since the last call (HdrHistogram's
/// <see cref="Recorder"/>: writers never wait for the reader). Values are nanoseconds.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>Highest latency tracked: 2 minutes (a phase is bounded well below that).</summary>
    public const long HighestNanoseconds = 120_000_000_000;

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly Recorder _latency = Create();
    private readonly Recorder _service = Create();
    private readonly Recorder _lag = Create();
    private long _ok;
    private long _misses;
    private long _errors;

    /// <summary>A histogram of the same shape as the recorded ones (for totals).</summary>
    public static LongHistogram CreateHistogram() => new(1, HighestNanoseconds, 3);

    private static Recorder Create() =>
        new(1, HighestNanoseconds, 3, (id, lowest, highest, digits) => new LongConcurrentHistogram(id, lowest, highest, digits));

    /// <summary>Records one reply that arrived at <paramref name="now"/> (Stopwatch timestamps).</summary>
    public void Record(long intended, long sent, long now, BinaryStatus status)
    {
        _latency.RecordValue(Nanoseconds(now - intended));
        _service.RecordValue(Nanoseconds(now - sent));
        _lag.RecordValue(Nanoseconds(sent - intended));
        if (status == BinaryStatus.Ok)
        {
            Interlocked.Increment(ref _ok);
        }
        else if (status == BinaryStatus.NotFound)
        {
            Interlocked.Increment(ref _misses);
        }
        else
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>Records a request that failed without a reply (its connection failed).</summary>
    public void RecordFailure() => Interlocked.Increment(ref _errors);

    /// <summary>What was recorded since the last call.</summary>
    public IntervalSample TakeInterval() => new(
        _latency.GetIntervalHistogram(),
        _service.GetIntervalHistogram(),
        _lag.GetIntervalHistogram(),
        Interlocked.Exchange(ref _ok, 0),
        Interlocked.Exchange(ref _misses, 0),
        Interlocked.Exchange(ref _errors, 0));

    private static long Nanoseconds(long ticks) =>
        Math.Clamp((long)(ticks * NanosecondsPerTick), 1, HighestNanoseconds);
}
