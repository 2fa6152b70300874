using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class CacheEngineOperationsTests
{
    private static readonly WriteOptions Add = new() { Condition = WriteCondition.IfAbsent };
    private static readonly WriteOptions Replace = new() { Condition = WriteCondition.IfPresent };

    private static CacheEngine NewEngine(ManualClock? clock = null) =>
        new(new EngineOptions { MemoryLimit = 32L << 20 }, clock ?? new ManualClock());

    private static WriteOptions Cas(ulong version) => new() { Condition = WriteCondition.IfVersionMatches, Version = version };

    [Fact]
    public void Set_returns_a_version_and_get_hands_back_everything_stored()
    {
        using CacheEngine engine = NewEngine();
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("value"), new WriteOptions { Flags = 0xDEADBEEF }, out ulong version));
        Assert.NotEqual(0UL, version);
        CopySink item = engine.GetItem("k", out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.Equal(1, item.Calls);
        Assert.Equal("value", Encoding.UTF8.GetString(item.Value!));
        Assert.Equal("k", Encoding.UTF8.GetString(item.Key!));
        Assert.Equal(version, item.Version);
        Assert.Equal(0xDEADBEEFu, item.Flags);
        Assert.Equal(0, item.ExpiresAt);
        Assert.False(item.Compressed);
        Assert.False(item.Tombstone);
    }

    [Fact]
    public void A_missing_key_is_not_found_and_the_sink_is_not_called()
    {
        using CacheEngine engine = NewEngine();
        CopySink item = engine.GetItem("nothing", out CacheStatus status);
        Assert.Equal(CacheStatus.NotFound, status);
        Assert.Equal(0, item.Calls);
        Assert.False(engine.Contains(Bytes("nothing")));
        EngineStats stats = engine.GetStats();
        Assert.Equal(0, stats.Hits);
        Assert.Equal(2, stats.Misses);
    }

    [Fact]
    public void Every_write_of_a_key_gets_a_higher_version()
    {
        // Versions count per shard, so they rise per key (the CAS token), not across keys.
        using CacheEngine engine = NewEngine();
        var last = new ulong[16];
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes($"k{i % 16}"), Bytes($"v{i}"), default, out ulong version));
            Assert.True(version > last[i % 16]);
            last[i % 16] = version;
        }
    }

    [Fact]
    public void Empty_values_and_binary_keys_round_trip()
    {
        using CacheEngine engine = NewEngine();
        byte[] key = [0, 1, 2, 0, 255];
        Assert.Equal(CacheStatus.Ok, engine.Set(key, [], default, out _));
        CopySink item = engine.GetItem(key, out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.Empty(item.Value!);
        Assert.Equal(key, item.Key);
        // A key that is a prefix of another is a different key.
        engine.GetItem(new byte[] { 0, 1, 2, 0 }, out CacheStatus prefix);
        Assert.Equal(CacheStatus.NotFound, prefix);
    }

    [Fact]
    public void Keys_of_every_length_up_to_the_limit_are_kept_apart()
    {
        using CacheEngine engine = NewEngine();
        for (int length = 1; length <= EngineLimits.MaxKeyLength; length++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(new string('k', length), $"v{length}"));
        }
        for (int length = 1; length <= EngineLimits.MaxKeyLength; length++)
        {
            Assert.Equal($"v{length}", engine.GetString(new string('k', length)));
        }
        Assert.Equal(EngineLimits.MaxKeyLength, engine.Count);
    }

    [Fact]
    public void Overwrites_across_size_classes_keep_one_item_and_the_latest_value()
    {
        using CacheEngine engine = NewEngine();
        var random = new Random(3);
        byte[] key = Bytes("shifting");
        for (int i = 0; i < 2000; i++)
        {
            byte[] value = new byte[random.Next(0, 3) switch { 0 => random.Next(0, 40), 1 => random.Next(40, 2000), _ => random.Next(2000, 60_000) }];
            random.NextBytes(value);
            uint flags = (uint)random.Next(0, 3);
            Assert.Equal(CacheStatus.Ok, engine.Set(key, value, new WriteOptions { Flags = flags }, out ulong version));
            CopySink item = engine.GetItem(key, out CacheStatus status);
            Assert.Equal(CacheStatus.Ok, status);
            Assert.Equal(value, item.Value);
            Assert.Equal(flags, item.Flags);
            Assert.Equal(version, item.Version);
        }
        Assert.Equal(1, engine.Count);
        Assert.Equal(1, engine.GetStats().Items);
    }

    [Fact]
    public void Delete_removes_the_item_and_reports_its_version()
    {
        using CacheEngine engine = NewEngine();
        engine.Set(Bytes("k"), Bytes("v"), default, out ulong version);
        engine.Set("other", "x");
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("k"), default, out ulong deleted));
        Assert.Equal(version, deleted);
        Assert.Null(engine.GetString("k"));
        Assert.Equal("x", engine.GetString("other"));
        Assert.Equal(1, engine.Count);
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k")));
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("never")));
        Assert.Equal(1, engine.Count);
        Assert.Equal(0, engine.GetStats().Tombstones);
    }

    [Fact]
    public void Add_stores_only_when_absent()
    {
        using CacheEngine engine = NewEngine();
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "first", Add));
        Assert.Equal(CacheStatus.Exists, engine.Set("k", "second", Add));
        Assert.Equal("first", engine.GetString("k"));
        engine.Delete(Bytes("k"));
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "third", Add));
        Assert.Equal("third", engine.GetString("k"));
    }

    [Fact]
    public void Replace_stores_only_when_present()
    {
        using CacheEngine engine = NewEngine();
        Assert.Equal(CacheStatus.NotFound, engine.Set("k", "first", Replace));
        Assert.Null(engine.GetString("k"));
        Assert.Equal(0, engine.Count);
        engine.Set("k", "base");
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "second", Replace));
        Assert.Equal("second", engine.GetString("k"));
    }

    [Fact]
    public void Compare_and_set_applies_only_on_the_current_version()
    {
        using CacheEngine engine = NewEngine();
        Assert.Equal(CacheStatus.NotFound, engine.Set(Bytes("k"), Bytes("x"), Cas(1), out _));
        engine.Set(Bytes("k"), Bytes("v1"), default, out ulong v1);
        Assert.Equal(CacheStatus.Exists, engine.Set(Bytes("k"), Bytes("bad"), Cas(v1 + 1), out _));
        Assert.Equal(CacheStatus.Exists, engine.Set(Bytes("k"), Bytes("bad"), Cas(v1 - 1), out _));
        Assert.Equal("v1", engine.GetString("k"));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("v2"), Cas(v1), out ulong v2));
        Assert.True(v2 > v1);
        Assert.Equal("v2", engine.GetString("k"));
        // The old token is spent.
        Assert.Equal(CacheStatus.Exists, engine.Set(Bytes("k"), Bytes("v3"), Cas(v1), out _));
        Assert.Equal("v2", engine.GetString("k"));
    }

    [Fact]
    public void Delete_with_a_version_applies_only_on_the_current_version()
    {
        using CacheEngine engine = NewEngine();
        engine.Set(Bytes("k"), Bytes("v"), default, out ulong version);
        Assert.Equal(CacheStatus.Exists, engine.Delete(Bytes("k"), Cas(version + 1), out _));
        Assert.Equal("v", engine.GetString("k"));
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("k"), Cas(version), out _));
        Assert.Null(engine.GetString("k"));
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k"), Cas(version), out _));
    }

    [Fact]
    public void Increment_and_decrement_work_on_integer_text()
    {
        using CacheEngine engine = NewEngine();
        Assert.Equal(CacheStatus.NotFound, engine.Increment(Bytes("n"), 1, default, createIfMissing: false, out _, out _));
        Assert.Null(engine.GetString("n"));
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("n"), 5, default, createIfMissing: true, out long value, out ulong v1));
        Assert.Equal(5, value);
        Assert.Equal("5", engine.GetString("n"));
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("n"), -12, default, createIfMissing: false, out value, out ulong v2));
        Assert.Equal(-7, value);
        Assert.True(v2 > v1);
        Assert.Equal("-7", engine.GetString("n"));
        Assert.Equal(v2, engine.GetItem("n", out _).Version);
        engine.Set("m", "9223372036854775806");
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("m"), 1, default, false, out value, out _));
        Assert.Equal(long.MaxValue, value);
        Assert.Equal("9223372036854775807", engine.GetString("m"));
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("m"), long.MinValue, default, false, out value, out _));
        Assert.Equal(-1, value);
    }

    [Theory]
    [InlineData("9223372036854775807", 1L)]
    [InlineData("-9223372036854775808", -1L)]
    [InlineData("-1", long.MinValue)]
    [InlineData("1", long.MaxValue)]
    [InlineData("-2", long.MinValue + 1)]
    public void Increment_refuses_to_overflow_and_leaves_the_value(string start, long delta)
    {
        using CacheEngine engine = NewEngine();
        engine.Set(Bytes("n"), Bytes(start), default, out ulong version);
        Assert.Equal(CacheStatus.Overflow, engine.Increment(Bytes("n"), delta, default, false, out _, out _));
        Assert.Equal(start, engine.GetString("n"));
        Assert.Equal(version, engine.GetItem("n", out _).Version);
    }

    [Theory]
    [InlineData("0", long.MinValue, long.MinValue)]
    [InlineData("0", long.MaxValue, long.MaxValue)]
    [InlineData("-1", long.MaxValue, long.MaxValue - 1)]
    [InlineData("1", long.MinValue, long.MinValue + 1)]
    public void Increment_reaches_the_ends_of_the_range(string start, long delta, long expected)
    {
        using CacheEngine engine = NewEngine();
        engine.Set("n", start);
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("n"), delta, default, false, out long value, out _));
        Assert.Equal(expected, value);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), engine.GetString("n"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("01")]
    [InlineData(" 1")]
    [InlineData("1.5")]
    [InlineData("+3")]
    [InlineData("-0")]
    [InlineData("99999999999999999999")]
    public void Increment_on_anything_but_strict_integer_text_is_not_a_number(string start)
    {
        using CacheEngine engine = NewEngine();
        engine.Set("n", start);
        Assert.Equal(CacheStatus.NotANumber, engine.Increment(Bytes("n"), 1, default, true, out _, out _));
        Assert.Equal(start, engine.GetString("n"));
    }

    [Fact]
    public void Increment_keeps_the_expiry_and_flags_of_the_item()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set(Bytes("n"), Bytes("1"), new WriteOptions { TimeToLiveMs = 10_000, Flags = 42 }, out _);
        long expiresAt = engine.GetItem("n", out _).ExpiresAt;
        clock.Advance(5000);
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("n"), 1, new WriteOptions { TimeToLiveMs = 99_000, Flags = 7 }, true, out _, out _));
        CopySink item = engine.GetItem("n", out _);
        Assert.Equal(expiresAt, item.ExpiresAt);
        Assert.Equal(42u, item.Flags);
        clock.Advance(5000);
        Assert.Null(engine.GetString("n"));
    }

    [Fact]
    public void Increment_creating_a_key_takes_the_options_expiry_and_flags()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("n"), 3, new WriteOptions { TimeToLiveMs = 1000, Flags = 9 }, true, out _, out _));
        CopySink item = engine.GetItem("n", out _);
        Assert.Equal(clock.UnixMilliseconds + 1000, item.ExpiresAt);
        Assert.Equal(9u, item.Flags);
    }

    [Fact]
    public void Touch_sets_or_clears_the_expiry_and_keeps_the_version()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Assert.Equal(CacheStatus.NotFound, engine.Touch(Bytes("k"), new WriteOptions { TimeToLiveMs = 1000 }, out _));
        engine.Set(Bytes("k"), Bytes("v"), default, out ulong version);
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("k"), new WriteOptions { TimeToLiveMs = 1000 }, out ulong touched));
        Assert.Equal(version, touched);
        Assert.Equal(clock.UnixMilliseconds + 1000, engine.GetItem("k", out _).ExpiresAt);
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("k"), new WriteOptions { ExpiresAtUnixMs = clock.UnixMilliseconds + 5000 }, out _));
        Assert.Equal(clock.UnixMilliseconds + 5000, engine.GetItem("k", out _).ExpiresAt);
        // Touch without an expiry makes the item persistent (PERSIST).
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("k"), default, out _));
        Assert.Equal(0, engine.GetItem("k", out _).ExpiresAt);
        clock.Advance(1_000_000);
        Assert.Equal("v", engine.GetString("k"));
    }

    [Fact]
    public void Touch_hands_the_item_as_it_was_to_the_sink()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set(Bytes("k"), Bytes("v"), new WriteOptions { TimeToLiveMs = 500, Flags = 3 }, out ulong version);
        var sink = new CopySink();
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("k"), new WriteOptions { TimeToLiveMs = 9000 }, out _, ref sink));
        Assert.Equal(1, sink.Calls);
        Assert.Equal("v", Encoding.UTF8.GetString(sink.Value!));
        Assert.Equal(clock.UnixMilliseconds + 500, sink.ExpiresAt);
        Assert.Equal(version, sink.Version);
        Assert.Equal(3u, sink.Flags);
        var none = new CopySink();
        Assert.Equal(CacheStatus.NotFound, engine.Touch(Bytes("x"), default, out _, ref none));
        Assert.Equal(0, none.Calls);
    }

    [Fact]
    public void Flags_are_replaced_by_each_write()
    {
        using CacheEngine engine = NewEngine();
        engine.Set("k", "v", new WriteOptions { Flags = 1 });
        Assert.Equal(1u, engine.GetItem("k", out _).Flags);
        engine.Set("k", "v", new WriteOptions { Flags = uint.MaxValue });
        Assert.Equal(uint.MaxValue, engine.GetItem("k", out _).Flags);
        engine.Set("k", "v");
        Assert.Equal(0u, engine.GetItem("k", out _).Flags);
        Assert.Equal("v", engine.GetString("k"));
    }

    [Fact]
    public void KeepTimeToLive_keeps_the_expiry_of_the_item_replaced()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        var keep = new WriteOptions { KeepTimeToLive = true, TimeToLiveMs = 60_000 };
        engine.Set("k", "v1", new WriteOptions { TimeToLiveMs = 1000 });
        long expiresAt = clock.UnixMilliseconds + 1000;
        clock.Advance(600);
        Assert.Equal(CacheStatus.Ok, engine.Set("k", new string('x', 3000), keep));
        Assert.Equal(expiresAt, engine.GetItem("k", out _).ExpiresAt);
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "v3", keep));
        Assert.Equal(expiresAt, engine.GetItem("k", out _).ExpiresAt);
        clock.Advance(400);
        Assert.Null(engine.GetString("k"));
        // With nothing live to keep from, the options' own expiry applies.
        Assert.Equal(CacheStatus.Ok, engine.Set("k", "v4", keep));
        Assert.Equal(clock.UnixMilliseconds + 60_000, engine.GetItem("k", out _).ExpiresAt);
        // A plain set drops the expiry.
        engine.Set("k", "v5");
        Assert.Equal(0, engine.GetItem("k", out _).ExpiresAt);
    }

    [Fact]
    public void Set_hands_the_replaced_item_to_the_previous_sink()
    {
        using CacheEngine engine = NewEngine();
        var previous = new CopySink();
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("one"), new WriteOptions { Flags = 5 }, out ulong v1, ref previous));
        Assert.Equal(0, previous.Calls);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("two"), default, out _, ref previous));
        Assert.Equal(1, previous.Calls);
        Assert.Equal("one", Encoding.UTF8.GetString(previous.Value!));
        Assert.Equal(v1, previous.Version);
        Assert.Equal(5u, previous.Flags);
        // A refused write hands nothing over.
        var refused = new CopySink();
        Assert.Equal(CacheStatus.Exists, engine.Set(Bytes("k"), Bytes("three"), Add, out _, ref refused));
        Assert.Equal(0, refused.Calls);
        Assert.Equal(CacheStatus.NotFound, engine.Set(Bytes("absent"), Bytes("three"), Replace, out _, ref refused));
        Assert.Equal(0, refused.Calls);
    }

    [Fact]
    public void Delete_hands_the_removed_item_to_the_previous_sink()
    {
        using CacheEngine engine = NewEngine();
        engine.Set(Bytes("k"), Bytes("gone"), new WriteOptions { Flags = 8 }, out ulong version);
        var previous = new CopySink();
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("k"), default, out _, ref previous));
        Assert.Equal(1, previous.Calls);
        Assert.Equal("gone", Encoding.UTF8.GetString(previous.Value!));
        Assert.Equal(version, previous.Version);
        Assert.Equal(8u, previous.Flags);
        var none = new CopySink();
        Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("k"), default, out _, ref none));
        Assert.Equal(0, none.Calls);
    }

    [Fact]
    public void Flush_empties_the_store_and_gives_back_its_pages()
    {
        using CacheEngine engine = NewEngine();
        for (int i = 0; i < 50_000; i++)
        {
            engine.Set($"k{i}", new string('v', i % 300));
        }
        Assert.True(engine.GetStats().Pages > 0);
        engine.Flush();
        Assert.Equal(0, engine.Count);
        EngineStats stats = engine.GetStats();
        Assert.Equal(0, stats.Pages);
        Assert.Equal(0, stats.Items);
        Assert.Null(engine.GetString("k1"));
        for (int i = 0; i < 50_000; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set($"k{i}", $"again{i}"));
        }
        for (int i = 0; i < 50_000; i += 7)
        {
            Assert.Equal($"again{i}", engine.GetString($"k{i}"));
        }
        Assert.Equal(50_000, engine.Count);
    }

    [Fact]
    public void Stats_count_hits_misses_and_items()
    {
        using CacheEngine engine = NewEngine();
        engine.Set("a", "1");
        engine.Set("b", "2");
        engine.GetString("a");
        engine.GetString("a");
        engine.GetString("zz");
        EngineStats stats = engine.GetStats();
        Assert.Equal(2, stats.Items);
        Assert.Equal(2, stats.Hits);
        Assert.Equal(1, stats.Misses);
        Assert.True(stats.Pages >= 1);
        Assert.Equal(32, stats.PageLimit);
        Assert.True(stats.TableBytes > 0);
        Assert.Equal(stats.Pages * EngineLimits.PageSize + stats.TableBytes, stats.NativeBytes);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(512)]
    public void Invalid_shard_counts_are_refused(int shards)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheEngine(new EngineOptions { MemoryLimit = 8L << 20, Shards = shards }));
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheEngine(new EngineOptions { MemoryLimit = (4L << 20) - 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheEngine(new EngineOptions { MemoryLimit = 8L << 20, CompressionThreshold = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheEngine(new EngineOptions { MemoryLimit = 8L << 20, TombstoneRetention = TimeSpan.FromSeconds(-1) }));
    }

    [Theory]
    [InlineData(4L << 20, 1)]
    [InlineData(32L << 20, 2)]
    [InlineData(64L << 20, 4)]
    [InlineData(1L << 30, 16)]
    public void Automatic_shard_count_keeps_at_least_16_pages_a_shard(long limit, int expected)
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = limit });
        Assert.Equal(expected, engine.ShardCount);
    }
}
