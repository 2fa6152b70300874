namespace EchoCache.Net.Cluster;

/// <summary>
/// Issues write versions: strictly increasing, and above anything an earlier orchestrator issued.
/// A version is <c>max(last + 1, unix_ms &lt;&lt; 20)</c>: the wall clock in the high bits moves a restarted
/// orchestrator's versions past its predecessor's (about a million versions per millisecond of headroom),
/// and <see cref="Observe"/> raises the floor to anything a worker reports, in case the clock stepped back.
/// </summary>
public sealed class VersionClock(Func<long>? unixMilliseconds = null)
{
    /// <summary>Bits below the milliseconds.</summary>
    public const int CounterBits = 20;

    private readonly Func<long> _now = unixMilliseconds ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    private long _last;
    private long _lastInstant;

    /// <summary>The last version issued or observed.</summary>
    public ulong Last => (ulong)Interlocked.Read(ref _last);

    /// <summary>A version above every one issued or observed so far.</summary>
    public ulong Next()
    {
        long floor = _now() << CounterBits;
        while (true)
        {
            long last = Interlocked.Read(ref _last);
            long next = Math.Max(last + 1, floor);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return (ulong)next;
            }
        }
    }

    /// <summary>
    /// The orchestrator's clock as workers judge expiry by it (<see cref="Protocol.BinaryFrameFlags.SenderClock"/>):
    /// Unix milliseconds that never go back, so once a key has read expired on one copy, no later request finds it
    /// alive on the other.
    /// </summary>
    public long Instant()
    {
        long now = _now();
        while (true)
        {
            long last = Interlocked.Read(ref _lastInstant);
            if (now <= last)
            {
                return last;
            }
            if (Interlocked.CompareExchange(ref _lastInstant, now, last) == last)
            {
                return now;
            }
        }
    }

    /// <summary>Makes every later version greater than <paramref name="version"/>.</summary>
    public void Observe(ulong version)
    {
        long seen = (long)Math.Min(version, long.MaxValue);
        long last;
        do
        {
            last = Interlocked.Read(ref _last);
            if (seen <= last)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _last, seen, last) != last);
    }
}
