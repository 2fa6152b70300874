using System.Diagnostics;

namespace EchoCache.Net.Server;

/// <summary>
/// How long an idle <see cref="EventLoop"/> polls for events before it sleeps, learned from how long its sleeps
/// turn out to last: the policy of KVM's halt polling. A sleep that ended within the longest window says that a
/// poll of that length would have caught the next event and saved the sleep and the wake-up (on a virtual
/// machine the waker pays an interprocessor interrupt for it, on the load tool's core): the window doubles. A
/// sleep that outlasted the longest window says polling would have been wasted: the window halves, down to
/// none. So a loop fed steadily by a busy client polls, and one whose events come far apart (an idle server)
/// sleeps at once and costs nothing. The loop yields its core after every empty poll (<see cref="EventLoop"/>),
/// so a thread waiting for that core runs first.
/// <para>
/// Times are <see cref="Stopwatch"/> ticks. A mutable struct kept in a field of the loop's own: only its thread
/// uses it.
/// </para>
/// </summary>
internal struct AdaptivePoll
{
    private readonly long _max;
    private readonly long _start;
    private long _window;

    /// <summary>A policy polling <paramref name="max"/> at the longest; <see cref="TimeSpan.Zero"/> never polls.</summary>
    public AdaptivePoll(TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, TimeSpan.Zero);
        _max = max.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        _start = _max / 8;
        _window = 0;
    }

    /// <summary>How long to poll before the next sleep, in Stopwatch ticks (0: sleep at once).</summary>
    public readonly long Window => _window;

    /// <summary>The longest window, in Stopwatch ticks.</summary>
    public readonly long Max => _max;

    /// <summary>
    /// A poll of the current window found nothing, and the sleep after it lasted <paramref name="slept"/> ticks:
    /// adjust the window for the next time. The loop was idle for the window and the sleep together; had that
    /// been within the longest window, polling longer would have caught the event. With no longest window the
    /// window stays at none (every sleep is longer than it, and none halves to none).
    /// </summary>
    public void Slept(long slept)
    {
        if (_window + slept > _max)
        {
            long halved = _window / 2;
            _window = halved < _start ? 0 : halved;
        }
        else if (_window < _max)
        {
            _window = Math.Min(_max, Math.Max(_start, _window * 2));
        }
    }
}
