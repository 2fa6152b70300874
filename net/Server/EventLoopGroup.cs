namespace EchoCache.Net.Server;

/// <summary>A fixed set of <see cref="EventLoop"/>s, one thread each, handed out in turn.</summary>
public sealed class EventLoopGroup : IDisposable
{
    private readonly EventLoop[] _loops;
    private int _next = -1;

    /// <summary>
    /// Starts <paramref name="count"/> loops, their threads named <paramref name="name"/> and a number, each polling
    /// for up to <paramref name="maxPoll"/> before it sleeps when that pays (see <see cref="EventLoop(string, TimeSpan)"/>).
    /// </summary>
    public EventLoopGroup(int count, string name, TimeSpan maxPoll = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _loops = new EventLoop[count];
        for (int i = 0; i < count; i++)
        {
            _loops[i] = new EventLoop($"{name} {i}", maxPoll);
        }
    }

    /// <summary>The number of loops.</summary>
    public int Count => _loops.Length;

    /// <summary>Loop <paramref name="index"/> modulo the count.</summary>
    public EventLoop this[int index] => _loops[(uint)index % (uint)_loops.Length];

    /// <summary>The next loop in turn (round robin), for a new connection.</summary>
    public EventLoop Next() => this[Interlocked.Increment(ref _next)];

    /// <summary>Callbacks that threw, over every loop.</summary>
    public long Faults => _loops.Sum(loop => loop.Faults);

    /// <summary>Stops every loop.</summary>
    public void Dispose()
    {
        foreach (EventLoop loop in _loops)
        {
            loop.Dispose();
        }
    }
}
