using System.Collections.Concurrent;

namespace EchoCache.Tests.Engine;

/// <summary>Dedicated threads for stress tests (not the pool: they block on the engine's locks by design).</summary>
internal static class TestThreads
{
    /// <summary>Runs <paramref name="body"/>(id) on <paramref name="threads"/> threads released together; rethrows the first failure.</summary>
    public static void Run(int threads, Action<int> body)
    {
        var failures = new ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    body(id);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            });
            workers[t].Start();
        }
        foreach (Thread worker in workers)
        {
            worker.Join();
        }
        if (failures.TryDequeue(out Exception? first))
        {
            throw new AggregateException($"{failures.Count + 1} thread(s) failed; the first:", first);
        }
    }
}
