using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class ConcurrencyTests
{
    private const int Threads = 4;

    // Writers of the overlapping-keys test that have stopped, failed or not.
    private int _finished;

    private static byte[] Key(string text) => Encoding.ASCII.GetBytes(text);

    private static int PayloadLength(Random random) => random.Next(40) switch
    {
        0 => random.Next(5000, 20_000), // compressed
        1 or 2 or 3 => random.Next(300, 3000),
        _ => random.Next(0, 200),
    };

    [Fact]
    public void Threads_on_overlapping_keys_never_see_a_torn_or_foreign_value_and_lose_nothing()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 256L << 20, Shards = 4 });
        const int ownKeys = 3000;
        const int sharedKeys = 300;
        const int counters = 8;
        const int operations = 200_000;
        var incrementsDone = new long[Threads];
        var ownLast = new long[Threads][];   // last acknowledged sequence per own key; -1 deleted, 0 never written
        var freshWritten = new int[Threads];

        TestThreads.Run(Threads + 1, t =>
        {
            if (t == Threads)
            {
                MaintainAndSnapshotUntilDone(engine, Done);
                return;
            }
            try
            {
                Work(t);
            }
            finally
            {
                // The background thread stops when every writer has, failed or not.
                Interlocked.Increment(ref _finished);
            }
        });

        void Work(int t)
        {
            var random = new Random(100 + t);
            long[] last = ownLast[t] = new long[ownKeys];
            byte[][] own = Enumerable.Range(0, ownKeys).Select(i => Key($"own:{t}:{i}")).ToArray();
            byte[][] shared = Enumerable.Range(0, sharedKeys).Select(i => Key($"shared:{i}")).ToArray();
            for (long seq = 1; seq <= operations; seq++)
            {
                int r = random.Next(100);
                if (r < 25)
                {
                    int i = random.Next(ownKeys);
                    byte[] value = StressValue.Create(own[i], t, seq, PayloadLength(random));
                    Assert.Equal(CacheStatus.Ok, engine.Set(own[i], value, default, out _));
                    last[i] = seq;
                }
                else if (r < 40)
                {
                    // Only this thread writes its own keys: a read sees exactly its last write.
                    int i = random.Next(ownKeys);
                    var sink = new ValidatingSink(own[i]);
                    CacheStatus status = engine.Get(own[i], ref sink);
                    Assert.Null(sink.Problem);
                    if (last[i] > 0)
                    {
                        Assert.Equal(CacheStatus.Ok, status);
                        Assert.Equal((t, last[i]), (sink.Writer, sink.Sequence));
                    }
                    else
                    {
                        Assert.Equal(CacheStatus.NotFound, status);
                    }
                }
                else if (r < 43)
                {
                    int i = random.Next(ownKeys);
                    Assert.Equal(last[i] > 0 ? CacheStatus.Ok : CacheStatus.NotFound, engine.Delete(own[i]));
                    last[i] = -1;
                }
                else if (r < 60)
                {
                    byte[] key = shared[random.Next(sharedKeys)];
                    var sink = new ValidatingSink(key);
                    CacheStatus status = engine.Get(key, ref sink);
                    Assert.True(status is CacheStatus.Ok or CacheStatus.NotFound);
                    Assert.Null(sink.Problem);
                    if (status == CacheStatus.Ok)
                    {
                        Assert.InRange(sink.Writer, 0, Threads - 1);
                        Assert.InRange(sink.Sequence, 1, operations);
                    }
                }
                else if (r < 72)
                {
                    byte[] key = shared[random.Next(sharedKeys)];
                    var condition = (WriteCondition)random.Next(3); // always, add, replace
                    var previous = new ValidatingSink(key);
                    CacheStatus status = engine.Set(key, StressValue.Create(key, t, seq, PayloadLength(random)),
                        new WriteOptions { Condition = condition }, out _, ref previous);
                    Assert.True(status is CacheStatus.Ok or CacheStatus.Exists or CacheStatus.NotFound, status.ToString());
                    Assert.Null(previous.Problem);
                }
                else if (r < 78)
                {
                    // Read, then compare-and-set against the version read.
                    byte[] key = shared[random.Next(sharedKeys)];
                    var read = new ValidatingSink(key);
                    if (engine.Get(key, ref read) == CacheStatus.Ok)
                    {
                        CacheStatus status = engine.Set(key, StressValue.Create(key, t, seq, PayloadLength(random)),
                            new WriteOptions { Condition = WriteCondition.IfVersionMatches, Version = read.Version }, out ulong version);
                        Assert.True(status is CacheStatus.Ok or CacheStatus.Exists or CacheStatus.NotFound, status.ToString());
                        if (status == CacheStatus.Ok) Assert.True(version > read.Version);
                    }
                    Assert.Null(read.Problem);
                }
                else if (r < 82)
                {
                    byte[] key = shared[random.Next(sharedKeys)];
                    var previous = new ValidatingSink(key);
                    CacheStatus status = engine.Delete(key, default, out _, ref previous);
                    Assert.True(status is CacheStatus.Ok or CacheStatus.NotFound);
                    Assert.Null(previous.Problem);
                }
                else if (r < 90)
                {
                    Assert.Equal(CacheStatus.Ok, engine.Increment(Key($"counter:{random.Next(counters)}"), 1, default, true, out _, out _));
                    incrementsDone[t]++;
                }
                else
                {
                    // Fresh keys, kept to the end: the tables keep growing under everyone's feet.
                    byte[] key = Key($"fresh:{t}:{freshWritten[t]}");
                    Assert.Equal(CacheStatus.Ok, engine.Set(key, StressValue.Create(key, t, seq, random.Next(0, 64)), default, out _));
                    Volatile.Write(ref freshWritten[t], freshWritten[t] + 1);
                }
            }
        }

        for (int t = 0; t < Threads; t++)
        {
            for (int i = 0; i < ownKeys; i++)
            {
                byte[] key = Key($"own:{t}:{i}");
                var sink = new ValidatingSink(key);
                CacheStatus status = engine.Get(key, ref sink);
                Assert.Null(sink.Problem);
                if (ownLast[t][i] > 0)
                {
                    Assert.Equal(CacheStatus.Ok, status);
                    Assert.Equal((t, ownLast[t][i]), (sink.Writer, sink.Sequence));
                }
                else
                {
                    Assert.Equal(CacheStatus.NotFound, status);
                }
            }
            for (int i = 0; i < freshWritten[t]; i++)
            {
                byte[] key = Key($"fresh:{t}:{i}");
                var sink = new ValidatingSink(key);
                Assert.Equal(CacheStatus.Ok, engine.Get(key, ref sink));
                Assert.Null(sink.Problem);
            }
        }
        long counted = 0;
        for (int c = 0; c < counters; c++)
        {
            CopySink sink = engine.GetItem(Key($"counter:{c}"), out CacheStatus status);
            if (status == CacheStatus.Ok) counted += long.Parse(Encoding.ASCII.GetString(sink.Value!));
        }
        Assert.Equal(incrementsDone.Sum(), counted);
        EngineStats stats = engine.GetStats();
        Assert.Equal(0, stats.Evictions);
        Assert.Equal(engine.Count, stats.Items);
        Assert.True(stats.Buckets > 4 * 64, "the tables grew");
    }

    private bool Done() => Volatile.Read(ref _finished) == Threads;

    /// <summary>Background work beside the writers: sweeps and whole snapshots whose every value must be intact.</summary>
    private static void MaintainAndSnapshotUntilDone(CacheEngine engine, Func<bool> done)
    {
        var random = new Random(99);
        while (!done())
        {
            engine.Maintain(random.Next(1, 64));
            var sink = new SnapshotValidator();
            SnapshotCursor cursor = engine.CreateSnapshot();
            while (!cursor.IsComplete && !done())
            {
                cursor.Read(ref sink, random.Next(1, 16));
                Assert.Null(sink.Validate());
            }
            Assert.True(engine.GetStats().Pages <= engine.GetStats().PageLimit);
        }
    }

    [Fact]
    public void Threads_under_eviction_with_pages_moving_between_shards_never_see_a_wrong_value()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20, Shards = 4 });
        const int keys = 20_000;
        const int operations = 100_000;
        var outOfMemory = new long[Threads];
        TestThreads.Run(Threads, t =>
        {
            var random = new Random(500 + t);
            for (long seq = 1; seq <= operations; seq++)
            {
                byte[] key = Key($"k:{random.Next(keys)}");
                int r = random.Next(100);
                if (r < 45)
                {
                    var sink = new ValidatingSink(key);
                    CacheStatus status = engine.Get(key, ref sink);
                    Assert.True(status is CacheStatus.Ok or CacheStatus.NotFound);
                    Assert.Null(sink.Problem);
                }
                else if (r < 95)
                {
                    // Sizes from tiny to most of a page (incompressible when large: payload bytes vary with the sequence).
                    int payload = random.Next(250) == 0 ? random.Next(100_000, 900_000) : PayloadLength(random);
                    var previous = new ValidatingSink(key);
                    CacheStatus status = engine.Set(key, StressValue.Create(key, t, seq, payload), default, out _, ref previous);
                    // Out of memory is allowed only when every shard that could give a page was busy.
                    Assert.True(status is CacheStatus.Ok or CacheStatus.OutOfMemory, status.ToString());
                    if (status == CacheStatus.OutOfMemory) outOfMemory[t]++;
                    Assert.Null(previous.Problem);
                }
                else
                {
                    var previous = new ValidatingSink(key);
                    engine.Delete(key, default, out _, ref previous);
                    Assert.Null(previous.Problem);
                }
            }
        });
        EngineStats stats = engine.GetStats();
        Assert.True(stats.Evictions > 0);
        Assert.True(stats.Pages <= stats.PageLimit);
        Assert.True(outOfMemory.Sum() < Threads * operations / 100, $"{outOfMemory.Sum()} writes out of memory");
        var all = new SnapshotValidator();
        SnapshotCursor cursor = engine.CreateSnapshot();
        while (!cursor.IsComplete) cursor.Read(ref all);
        Assert.Null(all.Validate());
        Assert.Equal(engine.Count, all.Yielded);
    }
}
