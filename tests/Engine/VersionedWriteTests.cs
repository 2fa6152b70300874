using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class VersionedWriteTests
{
    private static CacheEngine NewEngine(ManualClock clock, TimeSpan? retention = null) =>
        new(new EngineOptions { MemoryLimit = 16L << 20, TombstoneRetention = retention ?? TimeSpan.FromMinutes(5) }, clock);

    private static WriteOptions Newer(ulong version) => new() { Condition = WriteCondition.IfNewer, Version = version };

    [Fact]
    public void A_replica_write_stores_its_own_version_and_only_newer_ones_apply()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("v10"), Newer(10), out ulong version));
        Assert.Equal(10UL, version);
        Assert.Equal(10UL, engine.GetItem("k", out _).Version);
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("v9"), Newer(9), out _));
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("v10b"), Newer(10), out _));
        Assert.Equal("v10", engine.GetString("k"));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("v11"), Newer(11), out version));
        Assert.Equal(11UL, version);
        Assert.Equal("v11", engine.GetString("k"));
    }

    [Fact]
    public void Local_writes_after_replica_writes_get_higher_versions()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Set(Bytes("k"), Bytes("r"), Newer(1_000_000), out _);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("local"), default, out ulong version));
        Assert.True(version > 1_000_000);
    }

    [Fact]
    public void A_versioned_delete_leaves_a_tombstone_that_refuses_older_writes()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Set(Bytes("k"), Bytes("v5"), Newer(5), out _);
        var previous = new CopySink();
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("k"), Newer(7), out ulong version, ref previous));
        Assert.Equal(7UL, version);
        Assert.Equal(1, previous.Calls);
        Assert.Equal("v5", Encoding.UTF8.GetString(previous.Value!));
        Assert.Null(engine.GetString("k"));
        Assert.False(engine.Contains(Bytes("k")));
        Assert.Equal(0, engine.Count);
        Assert.Equal(1, engine.GetStats().Tombstones);
        // The late, older write that the delete overtook does not bring the key back.
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("v6"), Newer(6), out _));
        Assert.Equal(CacheStatus.Stale, engine.Delete(Bytes("k"), Newer(7), out _));
        Assert.Null(engine.GetString("k"));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("v8"), Newer(8), out _));
        Assert.Equal("v8", engine.GetString("k"));
        Assert.Equal(1, engine.Count);
        Assert.Equal(0, engine.GetStats().Tombstones);
    }

    [Fact]
    public void A_versioned_delete_of_a_missing_key_is_not_found_but_still_recorded()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        var previous = new CopySink();
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k"), Newer(20), out _, ref previous));
        Assert.Equal(0, previous.Calls);
        Assert.Equal(1, engine.GetStats().Tombstones);
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("old"), Newer(19), out _));
        Assert.Equal(CacheStatus.Stale, engine.Increment(Bytes("k"), 1, Newer(19), true, out _, out _));
        Assert.Equal(CacheStatus.Stale, engine.Touch(Bytes("k"), Newer(19), out _));
        Assert.Equal(CacheStatus.Stale, engine.Delete(Bytes("k"), Newer(19), out _));
        Assert.Equal(CacheStatus.NotFound, engine.Touch(Bytes("k"), Newer(21), out _));
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k"), Newer(22), out _));
        Assert.Equal(1, engine.GetStats().Tombstones);
        Assert.Equal(0, engine.Count);
    }

    [Fact]
    public void A_stale_versioned_delete_leaves_the_item()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Set(Bytes("k"), Bytes("v"), Newer(30), out _);
        Assert.Equal(CacheStatus.Stale, engine.Delete(Bytes("k"), Newer(29), out _));
        Assert.Equal("v", engine.GetString("k"));
        Assert.Equal(0, engine.GetStats().Tombstones);
    }

    [Fact]
    public void Local_writes_replace_a_tombstone_and_plain_deletes_ignore_it()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Delete(Bytes("a"), Newer(3), out _);
        engine.Delete(Bytes("b"), Newer(4), out _);
        engine.Delete(Bytes("c"), Newer(5), out _);
        Assert.Equal(3, engine.GetStats().Tombstones);
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("a")));
        Assert.Equal(CacheStatus.NotFound, engine.Set(Bytes("a"), Bytes("x"), new WriteOptions { Condition = WriteCondition.IfPresent }, out _));
        Assert.Equal(CacheStatus.NotFound, engine.Increment(Bytes("a"), 1, default, false, out _, out _));
        Assert.Equal(3, engine.GetStats().Tombstones);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("a"), Bytes("x"), new WriteOptions { Condition = WriteCondition.IfAbsent }, out ulong va));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("b"), Bytes("y"), default, out ulong vb));
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("c"), 4, default, true, out long n, out ulong vc));
        Assert.Equal(4, n);
        Assert.True(va > 5 && vb > 5 && vc > 5);
        Assert.Equal("x", engine.GetString("a"));
        Assert.Equal("y", engine.GetString("b"));
        Assert.Equal("4", engine.GetString("c"));
        Assert.Equal(0, engine.GetStats().Tombstones);
        Assert.Equal(3, engine.Count);
    }

    [Fact]
    public void Versioned_touch_and_increment_store_their_version()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Set(Bytes("k"), Bytes("1"), Newer(10), out _);
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("k"), 2, Newer(11), false, out long value, out ulong version));
        Assert.Equal(3, value);
        Assert.Equal(11UL, version);
        Assert.Equal(CacheStatus.Stale, engine.Increment(Bytes("k"), 2, Newer(11), false, out _, out _));
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("k"), Newer(12), out version));
        Assert.Equal(12UL, version);
        Assert.Equal(12UL, engine.GetItem("k", out _).Version);
        Assert.Equal(CacheStatus.Stale, engine.Touch(Bytes("k"), Newer(12), out _));
        Assert.Equal("3", engine.GetString("k"));
    }

    [Fact]
    public void A_tombstone_is_kept_for_the_retention_then_swept()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock, TimeSpan.FromSeconds(10));
        engine.Delete(Bytes("k"), Newer(50), out _);
        clock.Advance(9_999);
        engine.Maintain(1 << 16);
        Assert.Equal(1, engine.GetStats().Tombstones);
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("late"), Newer(49), out _));
        clock.Advance(1);
        Assert.Equal(1, engine.Maintain(1 << 16));
        Assert.Equal(0, engine.GetStats().Tombstones);
        // Past the retention the engine no longer remembers the delete (resyncs must be shorter than that).
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("late"), Newer(49), out _));
    }

    [Theory]
    [InlineData(365L * 30)]
    [InlineData(-1L)]
    public void A_retention_beyond_what_the_header_holds_keeps_the_tombstone(long days)
    {
        // "Keep deletes for ever": the expiry must saturate, not wrap round to some earlier time.
        var clock = new ManualClock();
        TimeSpan retention = days < 0 ? TimeSpan.MaxValue : TimeSpan.FromDays(days);
        using CacheEngine engine = NewEngine(clock, retention);
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k"), Newer(9), out _));
        clock.Advance(TimeSpan.FromDays(365).Ticks / TimeSpan.TicksPerMillisecond);
        engine.Maintain(1 << 16);
        Assert.Equal(1, engine.GetStats().Tombstones);
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("k"), Bytes("late"), Newer(8), out _));
        Dictionary<string, SnapshotItem> items = SnapshotSink.Collect(engine);
        Assert.True(items["k"].Tombstone);
        Assert.Equal(EngineLimits.MaxExpiryUnixMs, items["k"].ExpiresAt);
    }

    [Fact]
    public void A_snapshot_yields_tombstones_with_their_version()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Set(Bytes("live"), Bytes("v"), Newer(1), out _);
        engine.Delete(Bytes("dead"), Newer(2), out _);
        var sink = new SnapshotSink();
        SnapshotCursor cursor = engine.CreateSnapshot();
        while (!cursor.IsComplete) cursor.Read(ref sink, 1);
        Assert.Equal(2, sink.Items.Count);
        Assert.False(sink.Items["live"].Tombstone);
        Assert.Equal(1UL, sink.Items["live"].Version);
        Assert.True(sink.Items["dead"].Tombstone);
        Assert.Equal(2UL, sink.Items["dead"].Version);
        Assert.Empty(sink.Items["dead"].Value);
    }

    [Fact]
    public void Replicas_converge_whatever_order_versioned_writes_arrive_in()
    {
        // One ordered history of versioned writes, delivered to two replicas in two different orders.
        var random = new Random(21);
        var history = new List<(string Key, ulong Version, string? Value)>();
        for (ulong version = 1; version <= 3000; version++)
        {
            string key = $"k{random.Next(200)}";
            history.Add((key, version, random.Next(4) == 0 ? null : $"{key}@{version}"));
        }
        var clock = new ManualClock();
        using CacheEngine first = NewEngine(clock);
        using CacheEngine second = NewEngine(clock);
        Apply(first, history);
        Apply(second, history.OrderBy(_ => random.Next()).ToList());

        Dictionary<string, SnapshotItem> a = SnapshotSink.Collect(first);
        Dictionary<string, SnapshotItem> b = SnapshotSink.Collect(second);
        Assert.Equal(a.Count, b.Count);
        foreach ((string key, SnapshotItem item) in a)
        {
            Assert.True(b.TryGetValue(key, out SnapshotItem other), key);
            Assert.Equal(item.Version, other.Version);
            Assert.Equal(item.Tombstone, other.Tombstone);
            Assert.Equal(item.Value, other.Value);
            var last = history.Last(h => h.Key == key);
            Assert.Equal(last.Version, item.Version);
            Assert.Equal(last.Value is null, item.Tombstone);
        }
        Assert.Equal(first.Count, second.Count);

        static void Apply(CacheEngine engine, List<(string Key, ulong Version, string? Value)> writes)
        {
            foreach ((string key, ulong version, string? value) in writes)
            {
                CacheStatus status = value is null
                    ? engine.Delete(Bytes(key), Newer(version), out _)
                    : engine.Set(Bytes(key), Bytes(value), Newer(version), out _);
                Assert.True(status is CacheStatus.Ok or CacheStatus.NotFound or CacheStatus.Stale, status.ToString());
            }
        }
    }
}
