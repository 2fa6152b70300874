using System.Diagnostics;

namespace EchoCache.Faults.Clients;

/// <summary>
/// How many operations succeeded and failed, by the 100 ms in which they were invoked (on the campaign's
/// <see cref="Stopwatch"/> clock): what availability is computed from, window by window.
/// </summary>
internal sealed class OutcomeTimeline
{
    private static readonly long TicksPerBucket = Stopwatch.Frequency / 10;
    private readonly long _start;
    private readonly long[] _ok;
    private readonly long[] _failed;

    /// <summary>A timeline from <paramref name="start"/> long enough for <paramref name="length"/>.</summary>
    public OutcomeTimeline(long start, TimeSpan length)
    {
        _start = start;
        int buckets = (int)(length.TotalSeconds * 10) + 1;
        _ok = new long[buckets];
        _failed = new long[buckets];
    }

    /// <summary>Records an operation invoked at <paramref name="call"/> that succeeded or not (unavailable, timed out, failed).</summary>
    public void Record(long call, bool ok)
    {
        long bucket = Math.Clamp((call - _start) / TicksPerBucket, 0, _ok.Length - 1);
        Interlocked.Increment(ref (ok ? _ok : _failed)[bucket]);
    }

    /// <summary>Operations invoked between <paramref name="from"/> and <paramref name="to"/> that succeeded and failed.</summary>
    public (long Ok, long Failed) Count(long from, long to)
    {
        long ok = 0, failed = 0;
        long first = Math.Clamp((from - _start) / TicksPerBucket, 0, _ok.Length - 1);
        long last = Math.Clamp((to - _start) / TicksPerBucket, 0, _ok.Length - 1);
        for (long b = first; b <= last; b++)
        {
            ok += Volatile.Read(ref _ok[b]);
            failed += Volatile.Read(ref _failed[b]);
        }
        return (ok, failed);
    }
}
