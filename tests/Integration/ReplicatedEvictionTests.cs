using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Two published workers under a memory limit several times smaller than the data, and the published orchestrator
/// (docs/consistency.md, "Eviction"). Each key is written once; readers read keys all the while, through the
/// orchestrator, whose GETs alternate between the two copies. Each copy evicts by its own CLOCK (the reads set
/// reference bits on one copy only), so without replicated eviction a key reads absent on one copy and present on the
/// other, and the copies drift apart. Required: no read that began after a read of the same key returned absent
/// returns it present, and once quiet the two copies hold the same keys with the same values.
/// </summary>
public sealed class ReplicatedEvictionTests
{
    private const int Keys = 80_000;        // about 26 MB of items against 8 MB a copy
    private const int ValueLength = 300;
    private const int Writers = 6;
    private const int Readers = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static string Key(int i) => $"k:{i:D6}";

    private static string Value(int i) => $"value-{i}-".PadRight(ValueLength, 'x');

    /// <param name="threads">Event loop threads of each worker: with two, a key can be evicted on one thread while a
    /// read runs on another.</param>
    /// <param name="links">Data links per worker: with two, a notice also travels on links other than the read's.</param>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public async Task A_key_never_reads_present_after_a_read_saw_it_absent_and_the_copies_end_identical(int threads, int links)
    {
        string workerThreads = threads.ToString(CultureInfo.InvariantCulture);
        using HostProcess w0 = HostProcess.StartWorker(out int p0, "--memory", "8mb", "--threads", workerThreads);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, "--memory", "8mb", "--threads", workerThreads);
        // Nothing here is killed: a generous health timeout keeps a loaded machine (two copies evicting under a flood
        // of writes) from marking both workers down, which would answer reads UNAVAILABLE.
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1],
            "--links", links.ToString(CultureInfo.InvariantCulture), "--health-timeout", "10000");

        // Per key: 0 until its write was acknowledged. Readers read only acknowledged keys, and no key is written
        // twice, so once a read has returned a key absent, every read that starts later must too.
        var acknowledged = new int[Keys];
        int nextKey = -1;
        int writersDone = 0;
        var clock = Stopwatch.StartNew();
        // Each writer and reader on a thread of its own (they block on their sockets: pool threads would be starved).
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Factory.StartNew(() =>
        {
            using RespConnection connection = RespConnection.Connect(port, Timeout);
            for (int i = Interlocked.Increment(ref nextKey); i < Keys; i = Interlocked.Increment(ref nextKey))
            {
                RespReply reply = connection.Call("SET", Key(i), Value(i));
                Assert.True(reply.IsStatus("OK"), $"SET {Key(i)}: {reply}");
                Volatile.Write(ref acknowledged[i], 1);
            }
            Interlocked.Increment(ref writersDone);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        var reads = new List<(int Key, long Start, long End, bool Present)>[Readers];
        Task[] readers = [.. Enumerable.Range(0, Readers).Select(r => Task.Factory.StartNew(() =>
        {
            var mine = reads[r] = [];
            var random = new Random(r);
            using RespConnection connection = RespConnection.Connect(port, Timeout);
            int afterWriters = 0;
            // Every request waits 10 s at most (Timeout), so this ends: once the writers have, or as soon as one fails.
            while (afterWriters < 5_000 && !writers.Any(writer => writer.IsFaulted))
            {
                if (Volatile.Read(ref writersDone) == Writers)
                {
                    afterWriters++; // reads go on a while once writing has stopped and nothing is evicted any more
                }
                int written = Math.Min(Volatile.Read(ref nextKey), Keys);
                if (written < 100)
                {
                    Thread.Yield();
                    continue;
                }
                // Mostly keys near the eviction front (written a while ago), where copies would disagree.
                int key = random.Next(3) == 0 ? random.Next(written) : Math.Max(0, written - 1 - random.Next(40_000));
                if (Volatile.Read(ref acknowledged[key]) == 0)
                {
                    continue;
                }
                for (int again = 0; again < 2; again++)
                {
                    long start = clock.ElapsedTicks;
                    RespReply reply = connection.Call("GET", Key(key));
                    long end = clock.ElapsedTicks;
                    Assert.True(reply.Type == '$', $"GET {Key(key)}: {reply}");
                    Assert.True(reply.IsNil || reply.Text == Value(key), $"GET {Key(key)} returned {reply}");
                    mine.Add((key, start, end, !reply.IsNil));
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        await Task.WhenAll([.. writers, .. readers]);

        // Per key, the earliest end of a read that found it absent: no read may start after that and find it.
        var all = reads.SelectMany(r => r).ToList();
        var absentSince = new Dictionary<int, long>();
        foreach (var read in all.Where(read => !read.Present))
        {
            absentSince[read.Key] = absentSince.TryGetValue(read.Key, out long end) ? Math.Min(end, read.End) : read.End;
        }
        var violations = all
            .Where(read => read.Present && absentSince.TryGetValue(read.Key, out long end) && read.Start > end)
            .Select(read => $"{Key(read.Key)} read present at {Ms(read.Start)} ms, after a read saw it absent by {Ms(absentSince[read.Key])} ms")
            .ToList();
        Assert.True(absentSince.Count > 100, $"only {absentSince.Count} keys were ever read absent: too little was evicted to tell");
        Assert.True(all.Count(read => read.Present) > 1000, "too few reads found their key");

        // Quiet now: the copies, read straight from each worker, hold the same keys with the same values (once every
        // worker is up: none is being refilled).
        await OrchestratorInfo.WaitForAllUpAsync(port);
        (string[] Keys, string?[] Values) copy0 = default, copy1 = default;
        var waited = Stopwatch.StartNew();
        do
        {
            if (copy0.Keys != null)
            {
                await Task.Delay(50); // a notice still on its way (they go out at the next request: health checks)
            }
            copy0 = ReadCopy(p0);
            copy1 = ReadCopy(p1);
        }
        while (!Same(copy0, copy1) && waited.Elapsed < Timeout);
        Assert.True(copy0.Keys.Length < Keys / 2, $"worker 0 holds {copy0.Keys.Length} of {Keys} keys: nothing was evicted");
        var failures = new List<string>();
        if (violations.Count > 0)
        {
            failures.Add($"{violations.Count} of {all.Count} reads found a key present after a read had found it absent, e.g.:\n"
                + string.Join("\n", violations.Take(10)));
        }
        if (!Same(copy0, copy1))
        {
            failures.Add(Difference(copy0, copy1));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>A worker's keys, sorted, and their values, from KEYS * and MGET on its own port.</summary>
    private static (string[] Keys, string?[] Values) ReadCopy(int port)
    {
        using RespConnection connection = RespConnection.Connect(port, Timeout);
        RespReply keys = connection.Call("KEYS", "*");
        string[] names = [.. keys.Items!.Select(item => item.Text!).Order(StringComparer.Ordinal)];
        var values = new string?[names.Length];
        for (int at = 0; at < names.Length; at += 1000)
        {
            string[] chunk = names[at..Math.Min(names.Length, at + 1000)];
            RespReply reply = connection.Call(["MGET", .. chunk]);
            for (int i = 0; i < chunk.Length; i++)
            {
                values[at + i] = reply.Items![i].Text;
            }
        }
        return (names, values);
    }

    private static bool Same((string[] Keys, string?[] Values) a, (string[] Keys, string?[] Values) b) =>
        a.Keys.SequenceEqual(b.Keys) && a.Values.SequenceEqual(b.Values);

    private static string Difference((string[] Keys, string?[] Values) a, (string[] Keys, string?[] Values) b)
    {
        string[] onlyA = [.. a.Keys.Except(b.Keys)];
        string[] onlyB = [.. b.Keys.Except(a.Keys)];
        return string.Create(CultureInfo.InvariantCulture,
            $"the copies differ: worker 0 holds {a.Keys.Length} keys, worker 1 {b.Keys.Length}; {onlyA.Length} only on worker 0 " +
            $"(e.g. {string.Join(", ", onlyA.Take(5))}), {onlyB.Length} only on worker 1 (e.g. {string.Join(", ", onlyB.Take(5))})");
    }
}
