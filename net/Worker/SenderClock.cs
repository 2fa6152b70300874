using System.Diagnostics;
using EchoCache.Engine;

namespace EchoCache.Net.Worker;

/// <summary>
/// A worker's engine clock. Workers on different machines have different clocks, so if each judged expiry by its
/// own, one copy of a key could read expired while the other still served it. Requests from the orchestrator carry
/// its clock (<see cref="Protocol.BinaryFrameFlags.SenderClock"/>), and while such a request runs on a thread the
/// engine judges expiry by that instant: both copies expire a key at the same instant of one clock, as Redis's
/// replicas follow their primary's expiry.
/// </summary>
/// <remarks>
/// Anything else (the background sweep, a client connected straight to the worker) uses the orchestrator's clock as
/// last seen, moved on by the local monotonic clock, and held back by <see cref="BackgroundLag"/>: the sweep must
/// never remove an item the orchestrator still considers alive, since a read of the other copy would then find it.
/// A worker that has never heard from an orchestrator uses its own wall clock (<see cref="EngineClock.System"/>, the
/// clock a standalone engine uses), shifted by the test-only offset; one that has (any internal request,
/// <see cref="Follow"/>) but has not yet been told its clock lets nothing expire in the background until it is (the
/// orchestrator's health checks carry its clock, every 100 ms).
/// The current request's instant is thread-static: a request's engine calls run synchronously on its loop thread.
/// </remarks>
public sealed class SenderClock(long offsetMilliseconds = 0) : EngineClock
{
    /// <summary>How far behind the orchestrator's estimated clock the background runs.</summary>
    public const long BackgroundLag = 1000;

    [ThreadStatic]
    private static long t_request;

    private readonly object _gate = new();
    private long _seen;      // the latest sender instant, Unix ms; 0 = none yet
    private long _seenTicks; // Stopwatch timestamp when it was seen
    private volatile bool _following; // an orchestrator talks to this worker: never judge by the own clock again

    /// <summary>The test-only offset added to the local wall clock (worker --clock-offset-ms).</summary>
    public long OffsetMilliseconds { get; } = offsetMilliseconds;

    /// <inheritdoc />
    public override long UnixMilliseconds
    {
        get
        {
            long request = t_request;
            return request != 0 ? request : Background();
        }
    }

    /// <summary>
    /// Runs the calling thread's engine calls at the sender's instant <paramref name="unixMilliseconds"/> until the
    /// returned scope is disposed.
    /// </summary>
    public Scope At(long unixMilliseconds)
    {
        if (unixMilliseconds > Volatile.Read(ref _seen))
        {
            lock (_gate)
            {
                if (unixMilliseconds > _seen)
                {
                    _seenTicks = Stopwatch.GetTimestamp();
                    Volatile.Write(ref _seen, unixMilliseconds);
                }
            }
        }
        t_request = unixMilliseconds;
        return default;
    }

    /// <summary>
    /// An orchestrator sent this worker a request: from now on the worker's own clock judges nothing (an item the
    /// orchestrator still considers alive must not be swept), even before the orchestrator's clock is first seen.
    /// </summary>
    public void Follow() => _following = true;

    private long Background()
    {
        long seen = Volatile.Read(ref _seen);
        if (seen == 0)
        {
            // Unix time 0 is before every expiry: nothing expires until the orchestrator's clock is known.
            return _following ? 0 : EngineClock.System.UnixMilliseconds + OffsetMilliseconds;
        }
        long ticks;
        lock (_gate)
        {
            seen = _seen;
            ticks = _seenTicks;
        }
        return seen + (long)Stopwatch.GetElapsedTime(ticks).TotalMilliseconds - BackgroundLag;
    }

    /// <summary>Ends a request's instant (<see cref="At"/>).</summary>
    public readonly struct Scope : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => t_request = 0;
    }
}
