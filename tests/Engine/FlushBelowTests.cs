using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class FlushBelowTests
{
    private static CacheEngine NewEngine(int shards = 4, long memory = 32L << 20) =>
        new(new EngineOptions { MemoryLimit = memory, Shards = shards }, new ManualClock());

    private static WriteOptions Newer(ulong version) => new() { Condition = WriteCondition.IfNewer, Version = version };

    [Fact]
    public void Items_and_tombstones_at_or_below_the_floor_go_and_newer_ones_stay()
    {
        using CacheEngine engine = NewEngine();
        for (ulong v = 1; v <= 40; v++)
        {
            string key = $"k{v}";
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes(key), Bytes($"v{v}"), Newer(v), out _));
            if (v % 4 == 0)
            {
                // Deleted at a version 100 above: tombstones on both sides of the floor too.
                engine.Delete(Bytes(key), Newer(v + 100), out _);
            }
        }
        Assert.Equal(0UL, engine.FlushFloor);
        engine.FlushBelow(120);
        Assert.Equal(120UL, engine.FlushFloor);
        Dictionary<string, SnapshotItem> left = SnapshotSink.Collect(engine);
        for (ulong v = 1; v <= 40; v++)
        {
            string key = $"k{v}";
            ulong held = v % 4 == 0 ? v + 100 : v;
            if (held <= 120)
            {
                Assert.False(left.ContainsKey(key), key);
                continue;
            }
            Assert.True(left.TryGetValue(key, out SnapshotItem item), key);
            Assert.Equal(held, item.Version);
            Assert.Equal(v % 4 == 0, item.Tombstone);
        }
        // Tombstones of versions 124..140 (5 of them); no live item is above 120.
        Assert.Equal(5, engine.GetStats().Tombstones);
        Assert.Equal(0, engine.Count);
        Assert.Equal(5, left.Count);
    }

    [Fact]
    public void Replica_writes_at_or_below_the_floor_are_stale_even_for_keys_the_table_does_not_hold()
    {
        using CacheEngine engine = NewEngine();
        engine.Set(Bytes("kept"), Bytes("1"), Newer(300), out _);
        engine.Set(Bytes("old"), Bytes("1"), Newer(100), out _);
        engine.FlushBelow(200);
        var append = new AppendUpdater(Bytes("x"));
        foreach (ulong v in new ulong[] { 1, 150, 200 })
        {
            Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("old"), Bytes("late"), Newer(v), out _));
            Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("fresh"), Bytes("late"), Newer(v), out _));
            Assert.Equal(CacheStatus.Stale, engine.Delete(Bytes("fresh"), Newer(v), out _));
            Assert.Equal(CacheStatus.Stale, engine.Increment(Bytes("fresh"), 1, Newer(v), true, out _, out _));
            Assert.Equal(CacheStatus.Stale, engine.Touch(Bytes("fresh"), Newer(v), out _));
            Assert.Equal(CacheStatus.Stale, engine.Update(Bytes("fresh"), ref append, Newer(v), out _));
        }
        Assert.Equal(0, engine.InspectItem("old", out _).Calls);
        Assert.Equal(0, engine.InspectItem("fresh", out _).Calls);
        Assert.Equal(0, engine.GetStats().Tombstones);
        Assert.Equal(1, engine.Count);

        // Newer than the floor: applies as usual (and the held item's version still counts).
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("kept"), Bytes("2"), Newer(250), out _));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("kept"), Bytes("2"), Newer(301), out _));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("fresh"), Bytes("1"), Newer(201), out _));
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("fresh"), 1, Newer(202), false, out long value, out _));
        Assert.Equal(2, value);
        Assert.Equal(CacheStatus.Ok, engine.Update(Bytes("fresh"), ref append, Newer(203), out _));
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("fresh"), Newer(204), out _));
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("fresh"), Newer(205), out _));
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("other"), Newer(206), out _));
        Assert.Equal(2, engine.GetStats().Tombstones);
    }

    [Fact]
    public void The_floor_is_only_ever_raised()
    {
        using CacheEngine engine = NewEngine();
        engine.FlushBelow(100);
        engine.Set(Bytes("k"), Bytes("v"), Newer(101), out _);
        engine.FlushBelow(50);
        Assert.Equal(100UL, engine.FlushFloor);
        Assert.Equal("v", engine.GetString("k"));
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("j"), Bytes("v"), Newer(80), out _));
        engine.Flush();
        Assert.Equal(100UL, engine.FlushFloor);
        Assert.Equal(0, engine.Count);
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("j"), Bytes("v"), Newer(100), out _));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("j"), Bytes("v"), Newer(101), out _));
    }

    [Fact]
    public void A_shard_with_nothing_newer_is_emptied_whole_and_local_writes_afterwards_take_newer_versions()
    {
        using CacheEngine engine = NewEngine(shards: 1);
        for (int i = 0; i < 3000; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set($"k{i}", new string('x', i % 300)));
        }
        engine.Delete(Bytes("k1"), Newer(4000), out _);
        Assert.True(engine.GetStats().Pages > 0);
        engine.FlushBelow(5000);
        EngineStats stats = engine.GetStats();
        Assert.Equal(0, engine.Count);
        Assert.Equal(0, stats.Tombstones);
        Assert.Equal(0, stats.Pages);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("after"), Bytes("v"), default, out ulong version));
        Assert.True(version > 5000);
        // The same flush again (a retry) spares what was written after it.
        engine.FlushBelow(5000);
        Assert.Equal("v", engine.GetString("after"));
    }

    [Fact]
    public void A_flush_during_a_resize_keeps_exactly_the_newer_items()
    {
        using CacheEngine engine = NewEngine(shards: 1);
        const int count = 5000;
        var random = new Random(3);
        for (int i = 1; i <= count; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes($"k{i}"), Bytes($"v{i}"), Newer((ulong)i), out _));
            if (random.Next(10) == 0)
            {
                engine.Delete(Bytes($"k{random.Next(1, i + 1)}"), Newer((ulong)(count + i)), out _);
            }
        }
        // Write until a resize is under way (each write moves only a few buckets of it).
        int extra = count;
        while (!engine.GetStats().Resizing)
        {
            extra++;
            engine.Set(Bytes($"k{extra}"), Bytes($"v{extra}"), Newer((ulong)(3 * count + extra)), out _);
        }
        Dictionary<string, SnapshotItem> before = SnapshotSink.Collect(engine);
        const ulong floor = count / 2;
        engine.FlushBelow(floor);
        Assert.False(engine.GetStats().Resizing);
        Dictionary<string, SnapshotItem> after = SnapshotSink.Collect(engine);
        var expected = before.Where(p => p.Value.Version > floor).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(expected.Count, after.Count);
        foreach ((string key, SnapshotItem item) in expected)
        {
            Assert.True(after.TryGetValue(key, out SnapshotItem kept), key);
            Assert.Equal(item.Version, kept.Version);
            Assert.Equal(item.Tombstone, kept.Tombstone);
            Assert.Equal(item.Value, kept.Value);
        }
        Assert.Equal(expected.Count(p => !p.Value.Tombstone), engine.Count);
        Assert.Equal(expected.Count(p => p.Value.Tombstone), engine.GetStats().Tombstones);
        Assert.True(expected.Count > 0 && expected.Count < before.Count);
    }

    [Fact]
    public void Replica_writes_racing_a_flush_never_leave_anything_at_or_below_its_floor()
    {
        using CacheEngine engine = NewEngine(shards: 4, memory: 64L << 20);
        const int writers = 2;
        const ulong perWriter = 40_000;
        const ulong floor = perWriter; // about half of each writer's versions
        long progress = 0;
        int flushed = 0;
        TestThreads.Run(writers + 1, t =>
        {
            if (t == writers)
            {
                // Flush part-way through the writes, while versions near the floor are arriving.
                while (Volatile.Read(ref progress) < (long)perWriter) Thread.Yield();
                engine.FlushBelow(floor);
                Volatile.Write(ref flushed, 1);
                return;
            }
            var random = new Random(t);
            for (ulong i = 1; i <= perWriter; i++)
            {
                // Versions interleave over the writers, so both cross the floor at about the same time.
                ulong version = i * writers + (ulong)t;
                string key = $"k{random.Next(30_000)}";
                bool afterFlush = Volatile.Read(ref flushed) == 1;
                CacheStatus status = random.Next(8) == 0
                    ? engine.Delete(Bytes(key), Newer(version), out _)
                    : engine.Set(Bytes(key), Bytes($"{version}"), Newer(version), out _);
                Assert.True(status is CacheStatus.Ok or CacheStatus.NotFound or CacheStatus.Stale, status.ToString());
                if (afterFlush && version <= floor)
                {
                    // Issued after the flush returned: nothing at or below its floor applies.
                    Assert.Equal(CacheStatus.Stale, status);
                }
                Interlocked.Increment(ref progress);
            }
        });
        Dictionary<string, SnapshotItem> left = SnapshotSink.Collect(engine);
        Assert.NotEmpty(left);
        foreach ((string key, SnapshotItem item) in left)
        {
            Assert.True(item.Version > floor, $"{key} v{item.Version}");
            Assert.True(item.Tombstone || Encoding.ASCII.GetString(item.Value) == item.Version.ToString(), key);
        }
    }
}
