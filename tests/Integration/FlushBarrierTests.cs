using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>
/// FLUSHALL through the orchestrator is a barrier (docs/consistency.md, "The keyspace as one"): writers keep writing
/// fresh keys, plain and decided, while a FLUSHALL runs. No write acknowledged before the flush was sent may survive
/// it, on either copy; every write sent after it was acknowledged survives; and each key ends on both copies of its
/// pair or on neither. With two links per worker a write and the flush travel on different connections, so a write
/// older than the flush can reach a worker after it: the flush's version must still keep it out.
/// </summary>
public sealed class FlushBarrierTests
{
    private const int Writers = 6;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    public async Task No_write_acknowledged_before_a_flush_survives_it_and_none_after_is_lost(int workers, int links)
    {
        using LocalCluster cluster = LocalCluster.Start(workers, "--links", links.ToString(CultureInfo.InvariantCulture));
        var writes = new List<(string Key, long Invoked, long Acked)>();
        using var stop = new CancellationTokenSource();
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(() =>
        {
            using RespConnection connection = RespConnection.Connect(cluster.Port, Timeout);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                // Each key written once: a plain SET, or a decided INCR (the outcome replayed on the other copy).
                string key = $"w{w}:{i}";
                long invoked = Stopwatch.GetTimestamp();
                RespReply reply = i % 2 == 0 ? connection.Call("SET", key, "v") : connection.Call("INCR", key);
                long acked = Stopwatch.GetTimestamp();
                Assert.True(reply.IsStatus("OK") || (reply.Type == ':' && reply.Integer == 1), $"{key}: {reply}");
                lock (writes)
                {
                    writes.Add((key, invoked, acked));
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];

        long flushInvoked, flushAcked;
        try
        {
            await WaitUntilAsync(() => Count(writes) >= 2000, "writes before the flush");
            using RespConnection flusher = RespConnection.Connect(cluster.Port, Timeout);
            flushInvoked = Stopwatch.GetTimestamp();
            RespReply flushed = flusher.Call("FLUSHALL");
            flushAcked = Stopwatch.GetTimestamp();
            Assert.True(flushed.IsStatus("OK"), $"FLUSHALL: {flushed}");
            int atFlush = Count(writes);
            await WaitUntilAsync(() => Count(writes) >= atFlush + 2000, "writes after the flush");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        // What each worker holds, read straight from it (once every worker is up: none is being refilled).
        await cluster.WaitForAllUpAsync();
        var held = new HashSet<string>[workers];
        for (int w = 0; w < workers; w++)
        {
            using RespConnection direct = RespConnection.Connect(cluster.WorkerPort(w), Timeout);
            RespReply keys = direct.Call("KEYS", "*");
            held[w] = [.. keys.Items!.Select(item => item.Text!)];
        }
        int before = 0, after = 0;
        foreach ((string key, long invoked, long acked) in writes)
        {
            int copies = held.Count(h => h.Contains(key));
            Assert.True(copies is 0 or 2, $"{key} is on {copies} workers: the copies disagree");
            if (acked < flushInvoked)
            {
                before++;
                Assert.True(copies == 0, $"{key}, acknowledged before the FLUSHALL was sent, survived it");
            }
            else if (invoked > flushAcked)
            {
                after++;
                Assert.True(copies == 2, $"{key}, written after the FLUSHALL was acknowledged, is lost");
            }
        }
        Assert.True(before >= 1000 && after >= 1000, $"{before} writes before the flush and {after} after: too few to test");
        Assert.Equal(held.Sum(h => h.Count) / 2, long.Parse(RedisCli.Run(cluster.Port, "dbsize"), CultureInfo.InvariantCulture));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(60), $"waited 60 s for {what}");
            await Task.Delay(5);
        }
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }
}
