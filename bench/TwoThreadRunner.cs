namespace EchoCache.Bench;

/// <summary>
/// Runs one piece of work on two threads at once: part 0 on the calling thread and part 1 on a worker
/// started once, woken per run by an event (spin first, then block). Allocates nothing per run.
/// Its own cost per run is measured by the Harness benchmarks.
/// </summary>
public sealed class TwoThreadRunner : IDisposable
{
    private readonly Thread _worker;
    private readonly ManualResetEventSlim _go = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private Action<int>? _work;
    private volatile bool _stopping;

    /// <summary>Starts the worker thread.</summary>
    public TwoThreadRunner()
    {
        _worker = new Thread(Loop) { IsBackground = true, Name = "bench-part-1" };
        _worker.Start();
    }

    /// <summary>Runs <paramref name="work"/>(0) here and <paramref name="work"/>(1) on the worker; returns when both end.</summary>
    public void Run(Action<int> work)
    {
        _work = work;
        _go.Set();
        work(0);
        _done.Wait();
        _done.Reset();
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stopping)
            {
                return;
            }
            _work!(1);
            _done.Set();
        }
    }

    /// <summary>Stops and joins the worker.</summary>
    public void Dispose()
    {
        _stopping = true;
        _go.Set();
        _worker.Join();
        _go.Dispose();
        _done.Dispose();
    }
}
