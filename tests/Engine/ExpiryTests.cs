using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class ExpiryTests
{
    private static CacheEngine NewEngine(ManualClock clock, int shards = 0) =>
        new(new EngineOptions { MemoryLimit = 32L << 20, Shards = shards }, clock);

    [Fact]
    public void An_item_expires_lazily_at_its_expiry_time()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set("k", "v", new WriteOptions { TimeToLiveMs = 1000 });
        engine.Set("forever", "v");
        Assert.Equal(clock.UnixMilliseconds + 1000, engine.GetItem("k", out _).ExpiresAt);
        clock.Advance(999);
        Assert.Equal("v", engine.GetString("k"));
        clock.Advance(1);
        Assert.Equal(2, engine.Count); // still there until someone looks
        Assert.Null(engine.GetString("k"));
        Assert.Equal(1, engine.Count);
        Assert.Equal(1, engine.GetStats().Expirations);
        Assert.Equal("v", engine.GetString("forever"));
    }

    [Fact]
    public void An_absolute_expiry_wins_over_a_time_to_live()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        long at = clock.UnixMilliseconds + 300;
        engine.Set("k", "v", new WriteOptions { ExpiresAtUnixMs = at, TimeToLiveMs = 100_000 });
        Assert.Equal(at, engine.GetItem("k", out _).ExpiresAt);
        clock.Advance(300);
        Assert.Null(engine.GetString("k"));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-1_000_000L)]
    public void An_expiry_in_the_past_stores_an_item_that_reads_as_expired(long offset)
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "v", new WriteOptions { ExpiresAtUnixMs = clock.UnixMilliseconds + offset }));
        Assert.Null(engine.GetString("k"));
        Assert.Equal(0, engine.Count);
        // Before the header's epoch too.
        Assert.Equal(CacheStatus.Ok, engine.Set("old", "v", new WriteOptions { ExpiresAtUnixMs = 1 }));
        Assert.Null(engine.GetString("old"));
    }

    [Fact]
    public void Writes_see_an_expired_item_as_absent()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set(Bytes("k"), Bytes("v"), new WriteOptions { TimeToLiveMs = 10 }, out ulong version);
        clock.Advance(10);
        Assert.Equal(CacheStatus.NotFound, engine.Set(Bytes("k"), Bytes("x"), new WriteOptions { Condition = WriteCondition.IfPresent }, out _));
        Assert.Equal(CacheStatus.NotFound, engine.Set(Bytes("k"), Bytes("x"), new WriteOptions { Condition = WriteCondition.IfVersionMatches, Version = version }, out _));
        Assert.Equal(CacheStatus.NotFound, engine.Touch(Bytes("k"), default, out _));
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k")));
        Assert.Equal(CacheStatus.NotFound, engine.Increment(Bytes("k"), 1, default, false, out _, out _));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("new"), new WriteOptions { Condition = WriteCondition.IfAbsent }, out _));
        Assert.Equal("new", engine.GetString("k"));
        Assert.Equal(0, engine.GetItem("k", out _).ExpiresAt);
        Assert.Equal(1, engine.Count);
    }

    [Fact]
    public void Touch_extends_a_life()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set("k", "v", new WriteOptions { TimeToLiveMs = 100 });
        for (int i = 0; i < 10; i++)
        {
            clock.Advance(90);
            Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("k"), new WriteOptions { TimeToLiveMs = 100 }, out _));
        }
        Assert.Equal("v", engine.GetString("k"));
        clock.Advance(100);
        Assert.Null(engine.GetString("k"));
    }

    [Fact]
    public void Maintain_sweeps_expired_items_in_bounded_steps()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock, shards: 2);
        for (int i = 0; i < 20_000; i++)
        {
            engine.Set($"t{i}", "v", new WriteOptions { TimeToLiveMs = 1000 + i % 2 * 1000 });
            engine.Set($"p{i}", "v");
        }
        Assert.Equal(0, engine.Maintain(1 << 16));
        clock.Advance(1000);
        Assert.Equal(40_000, engine.Count);

        int first = engine.Maintain(1);
        Assert.InRange(first, 0, 2 * 3 * 12); // one bucket per shard, overflow chain at most a few long
        int removed = first;
        for (int step = 0; step < 100_000 && engine.Count > 30_000; step++)
        {
            removed += engine.Maintain(16);
        }
        Assert.Equal(30_000, engine.Count);
        Assert.Equal(10_000, removed);
        Assert.Equal(10_000, engine.GetStats().Expirations);
        clock.Advance(1000);
        Assert.Equal(10_000, engine.Maintain(1 << 16));
        Assert.Equal(20_000, engine.Count);
        Assert.Equal(20_000, engine.GetStats().Expirations);
        for (int i = 0; i < 20_000; i += 97)
        {
            Assert.Null(engine.GetString($"t{i}"));
            Assert.Equal("v", engine.GetString($"p{i}"));
        }
    }

    [Fact]
    public void A_snapshot_skips_expired_items()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set("short", "v", new WriteOptions { TimeToLiveMs = 5 });
        engine.Set("long", "v", new WriteOptions { TimeToLiveMs = 5000 });
        clock.Advance(5);
        Dictionary<string, SnapshotItem> items = SnapshotSink.Collect(engine);
        Assert.Equal(["long"], items.Keys);
        Assert.Equal(clock.UnixMilliseconds + 4995, items["long"].ExpiresAt);
    }

    [Fact]
    public void The_latest_expiry_the_header_can_hold_is_accepted_and_one_later_is_not()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "v", new WriteOptions { ExpiresAtUnixMs = EngineLimits.MaxExpiryUnixMs }));
        Assert.Equal(EngineLimits.MaxExpiryUnixMs, engine.GetItem("k", out _).ExpiresAt);
        Assert.Equal(CacheStatus.InvalidExpiry, engine.Set("k", "w", new WriteOptions { ExpiresAtUnixMs = EngineLimits.MaxExpiryUnixMs + 1 }));
        Assert.Equal(CacheStatus.InvalidExpiry,
            engine.Set("k", "w", new WriteOptions { TimeToLiveMs = EngineLimits.MaxExpiryUnixMs - clock.UnixMilliseconds + 1 }));
        Assert.Equal("v", engine.GetString("k"));
    }
}
