using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

/// <summary>
/// <see cref="EngineOptions.EvictionObserver"/>: told of exactly the items evicted to make room, with their versions,
/// and of nothing else (tombstones, expiry, deletes, flushes); and the replica delete that replicates an eviction.
/// </summary>
public sealed class EvictionObserverTests
{
    private const long Limit = 4L << 20;

    private static WriteOptions Newer(ulong version) => new() { Condition = WriteCondition.IfNewer, Version = version };

    private static byte[] Key(int i) => Encoding.ASCII.GetBytes($"key:{i:D7}");

    [Fact]
    public void Every_evicted_item_is_reported_once_with_its_version_and_no_other()
    {
        var observer = new RecordingEvictionObserver();
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, EvictionObserver = observer });
        const int keys = 60_000; // about 18 MiB of items
        var value = new byte[300];
        for (int i = 0; i < keys; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Key(i), value, Newer(1000 + (ulong)i), out _));
        }
        List<(string Key, ulong Version)> evicted = observer.Evicted;
        EngineStats stats = engine.GetStats();
        Assert.True(stats.Evictions > keys / 2, $"only {stats.Evictions} evictions");
        Assert.Equal(stats.Evictions, evicted.Count);
        Assert.Equal(evicted.Count, evicted.Select(e => e.Key).Distinct().Count());
        var gone = evicted.ToDictionary(e => e.Key, e => e.Version);
        for (int i = 0; i < keys; i++)
        {
            string key = Encoding.ASCII.GetString(Key(i));
            if (gone.TryGetValue(key, out ulong version))
            {
                Assert.Equal(1000 + (ulong)i, version);
                Assert.False(engine.Contains(Key(i)), $"{key} was reported evicted but is still there");
            }
            else
            {
                Assert.True(engine.Contains(Key(i)), $"{key} went without a report");
            }
        }
    }

    [Fact]
    public void Tombstones_are_evicted_by_clock_without_a_report()
    {
        var observer = new RecordingEvictionObserver();
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, EvictionObserver = observer });
        // Far more tombstones than fit: only tombstones are in the engine, so every eviction is of one.
        const int keys = 300_000;
        for (int i = 0; i < keys; i++)
        {
            Assert.Equal(CacheStatus.NotFound, engine.Delete(Key(i), Newer(10 + (ulong)i), out _));
        }
        EngineStats stats = engine.GetStats();
        Assert.True(stats.Evictions > 0, "no tombstone was evicted");
        Assert.Equal(keys - stats.Evictions, stats.Tombstones);
        Assert.Empty(observer.Evicted);
        // The newest tombstones are still there and still refuse older writes.
        Assert.Equal(CacheStatus.Stale, engine.Set(Key(keys - 1), Bytes("old"), Newer(9 + keys), out _));
    }

    [Fact]
    public void Expiry_deletes_and_flushes_are_not_evictions()
    {
        var clock = new ManualClock();
        var observer = new RecordingEvictionObserver();
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, EvictionObserver = observer }, clock);
        for (int i = 0; i < 1000; i++)
        {
            engine.Set(Key(i), Bytes("v"), new WriteOptions { TimeToLiveMs = 1000 }, out _);
        }
        clock.Advance(2000);
        Assert.Null(engine.GetString("key:0000000"));           // removed when met
        Assert.Equal(CacheStatus.Ok, engine.Set(Key(1), Bytes("w"), default, out _)); // replaced when met
        engine.Maintain(bucketsPerShard: 1 << 20);              // swept
        for (int i = 0; i < 100; i++)
        {
            engine.Set(Key(i), Bytes("v"), Newer(100 + (ulong)i), out _);
        }
        engine.Delete(Key(0));
        engine.Delete(Key(1), Newer(1000), out _);
        engine.FlushBelow(150);
        engine.Flush();
        Assert.Equal(0, engine.GetStats().Evictions);
        Assert.Empty(observer.Evicted);
    }

    [Fact]
    public void Without_an_observer_eviction_works_as_before()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit });
        Assert.Null(engine.EvictionObserver);
        var value = new byte[300];
        for (int i = 0; i < 30_000; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Key(i), value, default, out _));
        }
        Assert.True(engine.GetStats().Evictions > 0);
    }

    [Fact]
    public void A_replica_delete_removes_an_item_of_its_own_version_but_nothing_newer()
    {
        using var engine = new CacheEngine();
        // The replicated eviction of k@5 on the copy that still holds k@5: removed, a tombstone at 5 left.
        engine.Set(Bytes("k"), Bytes("v5"), Newer(5), out _);
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("k"), Newer(5), out ulong version));
        Assert.Equal(5UL, version);
        Assert.Null(engine.GetString("k"));
        CopySink tombstone = engine.InspectItem("k", out _);
        Assert.True(tombstone.Tombstone);
        Assert.Equal(5UL, tombstone.Version);
        // Again (the notice came on another link too), or the item's write arriving late: nothing changes.
        Assert.Equal(CacheStatus.Stale, engine.Delete(Bytes("k"), Newer(5), out _));
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("v5"), Newer(5), out _));
        Assert.Null(engine.GetString("k"));
        // A copy that already holds a newer write keeps it.
        engine.Set(Bytes("j"), Bytes("v9"), Newer(9), out _);
        Assert.Equal(CacheStatus.Stale, engine.Delete(Bytes("j"), Newer(5), out _));
        Assert.Equal("v9", engine.GetString("j"));
        // The copy that evicted it records the tombstone, so an older write arriving late cannot bring it back.
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("e"), Newer(7), out _));
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("e"), Bytes("v6"), Newer(6), out _));
        Assert.Null(engine.GetString("e"));
    }
}
