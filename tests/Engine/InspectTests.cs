using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class InspectTests
{
    private const long RetentionMs = 30_000;

    private static CacheEngine NewEngine(ManualClock clock) =>
        new(new EngineOptions { MemoryLimit = 16L << 20, TombstoneRetention = TimeSpan.FromMilliseconds(RetentionMs) }, clock);

    [Fact]
    public void A_live_item_is_handed_out_whole_without_counting_a_hit()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set(Bytes("k"), Bytes("value"), new WriteOptions { Flags = 9, TimeToLiveMs = 5000 }, out ulong version);
        EngineStats before = engine.GetStats();
        CopySink item = engine.InspectItem("k", out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.Equal(1, item.Calls);
        Assert.Equal("k", Encoding.UTF8.GetString(item.Key!));
        Assert.Equal("value", Encoding.UTF8.GetString(item.Value!));
        Assert.Equal(version, item.Version);
        Assert.Equal(9u, item.Flags);
        Assert.Equal(clock.UnixMilliseconds + 5000, item.ExpiresAt);
        Assert.False(item.Tombstone);
        Assert.False(item.Compressed);
        EngineStats after = engine.GetStats();
        Assert.Equal(before.Hits, after.Hits);
        Assert.Equal(before.Misses, after.Misses);
    }

    [Fact]
    public void A_compressed_item_is_handed_out_as_stored()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        byte[] value = Encoding.ASCII.GetBytes(new string('z', 20_000));
        engine.Set(Bytes("big"), value, default, out _);
        var sink = new RawSink();
        Assert.Equal(CacheStatus.Ok, engine.Inspect(Bytes("big"), ref sink));
        Assert.True(sink.Compressed);
        Assert.True(sink.Stored!.Length < value.Length);
        Assert.Equal(value, engine.InspectItem("big", out _).Value);
    }

    [Fact]
    public void An_expired_item_is_handed_out_and_left_in_place()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set(Bytes("k"), Bytes("v"), new WriteOptions { TimeToLiveMs = 100 }, out ulong version);
        clock.Advance(150);
        CopySink item = engine.InspectItem("k", out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.Equal(version, item.Version);
        Assert.Equal("v", Encoding.UTF8.GetString(item.Value!));
        Assert.True(item.ExpiresAt <= clock.UnixMilliseconds);
        Assert.Equal(1, engine.Count);
        Assert.Equal(0, engine.GetStats().Expirations);
        // Inspect again: still there. A read then drops it as usual.
        Assert.Equal(1, engine.InspectItem("k", out _).Calls);
        Assert.Null(engine.GetString("k"));
        Assert.Equal(1, engine.GetStats().Expirations);
        engine.InspectItem("k", out status);
        Assert.Equal(CacheStatus.NotFound, status);
    }

    [Fact]
    public void A_tombstone_is_handed_out_with_its_version_and_retention()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set(Bytes("k"), Bytes("v"), new WriteOptions { Condition = WriteCondition.IfNewer, Version = 40 }, out _);
        engine.Delete(Bytes("k"), new WriteOptions { Condition = WriteCondition.IfNewer, Version = 41 }, out _);
        CopySink item = engine.InspectItem("k", out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.True(item.Tombstone);
        Assert.Equal(41UL, item.Version);
        Assert.Empty(item.Value!);
        Assert.Equal("k", Encoding.UTF8.GetString(item.Key!));
        Assert.Equal(clock.UnixMilliseconds + RetentionMs, item.ExpiresAt);
        // The same view a snapshot yields.
        SnapshotItem yielded = SnapshotSink.Collect(engine)["k"];
        Assert.Equal((yielded.Version, yielded.Tombstone, yielded.ExpiresAt), (item.Version, item.Tombstone, item.ExpiresAt));
    }

    [Fact]
    public void A_missing_key_is_not_found_without_counting_a_miss_and_a_bad_key_is_refused()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        CopySink item = engine.InspectItem("none", out CacheStatus status);
        Assert.Equal(CacheStatus.NotFound, status);
        Assert.Equal(0, item.Calls);
        Assert.Equal(0, engine.GetStats().Misses);
        var sink = new CopySink();
        Assert.Equal(CacheStatus.KeyTooLarge, engine.Inspect([], ref sink));
        Assert.Equal(CacheStatus.KeyTooLarge, engine.Inspect(new byte[EngineLimits.MaxKeyLength + 1], ref sink));
        Assert.Equal(0, sink.Calls);
    }
}
