using System.Diagnostics;

namespace EchoCache.Load;

/// <summary>
/// Issues requests on a fixed timetable whatever the replies do: request <c>i</c> is due at
/// <c>start + i / rate</c>, and that intended time, not the moment it actually left, is where its latency is
/// measured from. One dedicated thread wakes every <see cref="TickMicroseconds"/>, issues every request that is
/// due (a request that cannot go out because every connection is at its in-flight limit stays due, and keeps
/// its intended time), sends them, and sleeps again.
/// </summary>
internal sealed class OpenLoopScheduler(ILoadTarget target, double rate, int tickMicroseconds)
{
    private Thread? _thread;
    private volatile bool _stop;
    private long _issued;
    private long _lateIssues;

    /// <summary>How often the scheduler wakes up to issue what is due.</summary>
    public int TickMicroseconds { get; } = tickMicroseconds;

    /// <summary>Requests issued so far.</summary>
    public long Issued => Interlocked.Read(ref _issued);

    /// <summary>Wake-ups at which some due request could not be issued (every connection at its limit).</summary>
    public long Backlogged => Interlocked.Read(ref _lateIssues);

    /// <summary>Starts the timetable at <paramref name="start"/>, for <paramref name="duration"/>.</summary>
    public void Start(long start, TimeSpan duration, PhaseControl control)
    {
        _thread = new Thread(() => Run(start, duration, control)) { IsBackground = true, Name = "open-loop scheduler" };
        _thread.Start();
    }

    /// <summary>Stops issuing and waits for the thread.</summary>
    public void Stop()
    {
        _stop = true;
        _thread?.Join();
    }

    private void Run(long start, TimeSpan duration, PhaseControl control)
    {
        double ticksPerRequest = Stopwatch.Frequency / rate;
        long total = (long)(duration.TotalSeconds * rate);
        long issued = 0;
        while (!_stop && !control.Stopping && issued < total)
        {
            long now = Stopwatch.GetTimestamp();
            long due = Math.Min(total, (long)((now - start) / ticksPerRequest) + 1);
            while (issued < due)
            {
                long intended = start + (long)(issued * ticksPerRequest);
                if (!target.TrySchedule(intended, now))
                {
                    Interlocked.Increment(ref _lateIssues);
                    break;
                }
                issued++;
            }
            Interlocked.Exchange(ref _issued, issued);
            target.FlushScheduled();
            long next = start + (long)(issued * ticksPerRequest);
            long wait = (long)((next - Stopwatch.GetTimestamp()) * 1e6 / Stopwatch.Frequency);
            NativeSleep.Sleep((int)Math.Clamp(wait, TickMicroseconds, 100_000));
        }
    }
}
