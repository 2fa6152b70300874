using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class ResizeAndSnapshotTests
{
    private static byte[] Key(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] ValueOf(string key, int generation) => Encoding.ASCII.GetBytes($"{key}={generation}");

    private static CacheEngine NewEngine(int shards = 1) =>
        new(new EngineOptions { MemoryLimit = 256L << 20, Shards = shards }, new ManualClock());

    [Fact]
    public void Every_key_stays_readable_at_every_step_of_a_resize()
    {
        using CacheEngine engine = NewEngine();
        var keys = new List<byte[]>();
        int resizingSteps = 0;
        for (int i = 0; i < 40_000; i++)
        {
            byte[] key = Key($"grow:{i}");
            Assert.Equal(CacheStatus.Ok, engine.Set(key, ValueOf($"grow:{i}", 0), default, out _));
            keys.Add(key);
            EngineStats stats = engine.GetStats();
            if (stats.Resizing)
            {
                resizingSteps++;
                // Mid-resize, with the old table part-migrated: check a spread of keys, old and new.
                for (int j = i % 97; j < keys.Count; j += 97)
                {
                    Assert.True(engine.Contains(keys[j]), $"grow:{j} missing while resizing at {i}");
                }
            }
        }
        Assert.True(resizingSteps > 100);
        Assert.Equal(40_000, engine.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            CopySink item = engine.GetItem(keys[i], out CacheStatus status);
            Assert.Equal(CacheStatus.Ok, status);
            Assert.Equal(ValueOf($"grow:{i}", 0), item.Value);
        }
        while (engine.GetStats().Resizing) engine.Maintain(64);
        Assert.True(engine.GetStats().Buckets >= 40_000 / 9);
        Assert.False(engine.GetStats().Resizing);
    }

    [Fact]
    public void A_resize_under_concurrent_writes_misses_no_live_key()
    {
        using CacheEngine engine = NewEngine(shards: 2);
        const int preloaded = 5000;
        const int writers = 2;
        const int perWriter = 150_000;
        for (int i = 0; i < preloaded; i++)
        {
            engine.Set(Key($"pre:{i}"), ValueOf($"pre:{i}", 0), default, out _);
        }
        var written = new int[writers];
        int finished = 0;
        long bucketsBefore = engine.GetStats().Buckets;
        TestThreads.Run(writers + 2, t =>
        {
            if (t < writers)
            {
                try
                {
                    for (int i = 0; i < perWriter; i++)
                    {
                        Assert.Equal(CacheStatus.Ok, engine.Set(Key($"new:{t}:{i}"), ValueOf($"new:{t}:{i}", 0), default, out _));
                        Volatile.Write(ref written[t], i + 1);
                    }
                }
                finally
                {
                    Interlocked.Increment(ref finished);
                }
                return;
            }
            var random = new Random(t);
            while (Volatile.Read(ref finished) < writers)
            {
                if (t == writers)
                {
                    // Readers of keys present all along, and of keys the writers have acknowledged.
                    int p = random.Next(preloaded);
                    AssertValue(engine, $"pre:{p}");
                    int w = random.Next(writers);
                    int upTo = Volatile.Read(ref written[w]);
                    if (upTo > 0)
                    {
                        int n = random.Next(upTo);
                        AssertValue(engine, $"new:{w}:{n}");
                    }
                }
                else
                {
                    // Background maintenance moves resizes along in bigger steps.
                    engine.Maintain(random.Next(1, 32));
                }
            }
        });
        // Several doublings happened while readers and the sweeper worked beside the writers.
        Assert.True(engine.GetStats().Buckets >= 16 * bucketsBefore, $"buckets {bucketsBefore} -> {engine.GetStats().Buckets}");
        Assert.Equal(preloaded + writers * perWriter, engine.Count);
        for (int t = 0; t < writers; t++)
        {
            for (int i = 0; i < perWriter; i++)
            {
                AssertValue(engine, $"new:{t}:{i}");
            }
        }
        for (int i = 0; i < preloaded; i++)
        {
            AssertValue(engine, $"pre:{i}");
        }
    }

    private static void AssertValue(CacheEngine engine, string key)
    {
        CopySink item = engine.GetItem(Key(key), out CacheStatus status);
        if (status != CacheStatus.Ok || !item.Value.AsSpan().SequenceEqual(ValueOf(key, 0)))
        {
            Assert.Fail($"{key}: {status}");
        }
    }

    /// <summary>
    /// A snapshot taken in small batches while, between batches, new keys force resizes (starting during the
    /// snapshot and also already under way when it starts), others are updated and others deleted.
    /// </summary>
    [Theory]
    [InlineData(1, 20_000, false)]
    [InlineData(1, 20_000, true)]
    [InlineData(4, 60_000, false)]
    public void A_snapshot_interleaved_with_writes_yields_every_key_live_throughout(int shards, int stable, bool startMidResize)
    {
        using CacheEngine engine = NewEngine(shards);
        var random = new Random(shards * 7 + (startMidResize ? 1 : 0));
        var versions = new Dictionary<string, ulong>();
        var values = new Dictionary<(string, ulong), byte[]>();
        void Write(string key, int generation)
        {
            byte[] value = ValueOf(key, generation);
            Assert.Equal(CacheStatus.Ok, engine.Set(Key(key), value, default, out ulong version));
            versions[key] = version;
            values[(key, version)] = value;
        }
        for (int i = 0; i < stable; i++) Write($"stable:{i}", 0);
        for (int i = 0; i < 5000; i++) Write($"updated:{i}", 0);
        for (int i = 0; i < 5000; i++) Write($"deleted:{i}", 0);
        int fresh = 0;
        if (startMidResize)
        {
            while (!engine.GetStats().Resizing) Write($"fresh:{fresh++}", 0);
        }
        var before = new Dictionary<string, ulong>(versions);

        var sink = new SnapshotSink();
        SnapshotCursor cursor = engine.CreateSnapshot();
        int deleted = 0, generation = 1;
        bool resized = false;
        while (!cursor.IsComplete)
        {
            cursor.Read(ref sink, random.Next(1, 8));
            for (int i = 0; i < 40; i++) Write($"fresh:{fresh++}", 0);
            for (int i = 0; i < 5; i++) Write($"updated:{random.Next(5000)}", generation++);
            if (deleted < 5000)
            {
                Assert.Equal(CacheStatus.Ok, engine.Delete(Key($"deleted:{deleted++}")));
            }
            resized |= engine.GetStats().Resizing;
        }
        Assert.True(resized);
        Assert.True(fresh > stable, "the tables at least doubled during the snapshot");

        foreach ((string key, ulong version) in before)
        {
            bool yielded = sink.Items.TryGetValue(key, out SnapshotItem item);
            if (key.StartsWith("deleted:", StringComparison.Ordinal))
            {
                // Deleted during the snapshot: may or may not have been met first.
                if (yielded) Assert.Equal(version, item.Version);
                continue;
            }
            Assert.True(yielded, $"{key}, live throughout, was not yielded");
            // Current or newer than when the snapshot began, and the value written with that version.
            Assert.True(item.Version >= version, $"{key}: yielded v{item.Version}, older than v{version}");
            Assert.Equal(values[(key, item.Version)], item.Value);
            Assert.False(item.Tombstone);
        }
        foreach ((string key, SnapshotItem item) in sink.Items)
        {
            Assert.True(values.TryGetValue((key, item.Version), out byte[]? value), $"{key} v{item.Version} was never written");
            Assert.Equal(value, item.Value);
        }
    }

    [Fact]
    public void A_snapshot_under_concurrent_writers_yields_every_key_live_throughout()
    {
        using CacheEngine engine = NewEngine(shards: 2);
        const int stable = 20_000;
        const int updated = 2000;
        var before = new Dictionary<string, ulong>();
        for (int i = 0; i < stable; i++)
        {
            engine.Set(Key($"stable:{i}"), ValueOf($"stable:{i}", 0), default, out ulong v);
            before[$"stable:{i}"] = v;
        }
        for (int i = 0; i < updated; i++)
        {
            engine.Set(Key($"updated:{i}"), ValueOf($"updated:{i}", 0), default, out ulong v);
            before[$"updated:{i}"] = v;
            engine.Set(Key($"deleted:{i}"), ValueOf($"deleted:{i}", 0), default, out _);
        }
        const int writers = 2;
        const int writesPerBatch = 30;
        bool done = false;
        long progress = 0;
        int writersStopped = 0;
        var sink = new SnapshotSink();
        int snapshotBatches = 0;
        long bucketsAtStart = 0;
        TestThreads.Run(writers + 1, t =>
        {
            var random = new Random(t);
            if (t == writers)
            {
                try
                {
                    SnapshotCursor cursor = engine.CreateSnapshot();
                    bucketsAtStart = engine.GetStats().Buckets;
                    while (!cursor.IsComplete)
                    {
                        // Paced by the writers' progress, not by time: each batch waits for its share of writes.
                        var wait = new SpinWait();
                        while (Interlocked.Read(ref progress) < (long)snapshotBatches * writesPerBatch
                            && Volatile.Read(ref writersStopped) < writers)
                        {
                            wait.SpinOnce();
                        }
                        cursor.Read(ref sink, random.Next(1, 4));
                        snapshotBatches++;
                    }
                }
                finally
                {
                    Volatile.Write(ref done, true);
                }
                return;
            }
            // Writers: fresh keys (resizes), updates (generation = sequence) and deletes, until the snapshot ends
            // (or a cap, so the store never fills: an eviction would excuse a missing key).
            try
            {
                for (int n = 0; n < 150_000 && !Volatile.Read(ref done); n++)
                {
                    engine.Set(Key($"fresh:{t}:{n}"), ValueOf($"fresh:{t}:{n}", 0), default, out _);
                    int u = random.Next(updated);
                    engine.Set(Key($"updated:{u}"), ValueOf($"updated:{u}", n + 1), default, out _);
                    engine.Delete(Key($"deleted:{random.Next(updated)}"));
                    Interlocked.Increment(ref progress);
                }
            }
            finally
            {
                Interlocked.Increment(ref writersStopped);
            }
        });
        Assert.True(snapshotBatches > 10);
        // Grown since the snapshot began: resizes ran between its batches (whole ones may fit between two looks).
        Assert.True(engine.GetStats().Buckets > bucketsAtStart, $"buckets {bucketsAtStart} -> {engine.GetStats().Buckets}");
        Assert.Equal(0, engine.GetStats().Evictions);
        foreach ((string key, ulong version) in before)
        {
            Assert.True(sink.Items.TryGetValue(key, out SnapshotItem item), $"{key}, live throughout, was not yielded");
            Assert.True(item.Version >= version, $"{key}: yielded v{item.Version}, older than v{version}");
            string text = Encoding.ASCII.GetString(item.Value);
            Assert.StartsWith(key + "=", text);
            if (key.StartsWith("stable:", StringComparison.Ordinal))
            {
                Assert.Equal(version, item.Version);
            }
        }
    }
}
