using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class VersionStampTests
{
    private const long RetentionMs = 60_000;

    // Below the versions the shards have handed out (Raise puts them past 1000), so a stamp that is merely
    // "some new local version" would not pass for it; Above is past them.
    private const ulong Below = 500;
    private const ulong Above = 5000;

    private static CacheEngine NewEngine(ManualClock clock) =>
        new(new EngineOptions
        {
            MemoryLimit = 16L << 20,
            Shards = 1,
            CompressionThreshold = 0,
            TombstoneRetention = TimeSpan.FromMilliseconds(RetentionMs),
        }, clock);

    private static WriteOptions Newer(ulong version) => new() { Condition = WriteCondition.IfNewer, Version = version };

    /// <summary>Lifts the shard's local versions past 1000, so a stamp of <see cref="Below"/> is below them.</summary>
    private static void Raise(CacheEngine engine) =>
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("raise"), Bytes("r"), Newer(1000), out _));

    private static ulong VersionOf(CacheEngine engine, string key)
    {
        CopySink item = engine.InspectItem(key, out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        return item.Version;
    }

    private static void AssertTombstone(CacheEngine engine, string key, ulong version, ManualClock clock)
    {
        CopySink item = engine.InspectItem(key, out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.True(item.Tombstone);
        Assert.Equal(version, item.Version);
        Assert.Empty(item.Value!);
        Assert.Equal(clock.UnixMilliseconds + RetentionMs, item.ExpiresAt);
        Assert.Null(engine.GetString(key));
    }

    [Theory]
    [InlineData(Below)]
    [InlineData(Above)]
    public void Every_set_path_stores_exactly_the_stamp(ulong stamp)
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Raise(engine);
        engine.Set("same", "aaaa");
        engine.Set("grow", "a");
        engine.Set("getset", "old");
        engine.Set("keep", "v", new WriteOptions { TimeToLiveMs = 10_000 });
        engine.Set("present", "v");
        engine.Set(Bytes("cas"), Bytes("v"), default, out ulong casVersion);
        var previous = new CopySink();
        using (engine.StampVersions(stamp))
        {
            // A new key, the in-place overwrite (same size class), a move to another class, GETSET, KEEPTTL,
            // SET NX, SET XX, CAS.
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("new"), Bytes("n"), default, out ulong version));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("same"), Bytes("bbbb"), default, out version));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("grow"), new byte[1000], default, out version));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("getset"), Bytes("new"), default, out version, ref previous));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("keep"), Bytes("w"), new WriteOptions { KeepTimeToLive = true }, out version));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("nx"), Bytes("v"), new WriteOptions { Condition = WriteCondition.IfAbsent }, out version));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("present"), Bytes("w"), new WriteOptions { Condition = WriteCondition.IfPresent }, out version));
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("cas"), Bytes("w"),
                new WriteOptions { Condition = WriteCondition.IfVersionMatches, Version = casVersion }, out version));
            Assert.Equal(stamp, version);
        }
        foreach (string key in new[] { "new", "same", "grow", "getset", "keep", "nx", "present", "cas" })
        {
            Assert.Equal(stamp, VersionOf(engine, key));
        }
        Assert.Equal("bbbb", engine.GetString("same"));
        Assert.Equal(1, previous.Calls);
        Assert.Equal("old", Encoding.UTF8.GetString(previous.Value!));
        Assert.NotEqual(stamp, previous.Version);
        Assert.Equal(clock.UnixMilliseconds + 10_000, engine.GetItem("keep", out _).ExpiresAt);
        // The shard's local versions stay above every version it has stored.
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("after"), Bytes("v"), default, out ulong after));
        Assert.True(after > Math.Max(stamp, 1000));
    }

    [Theory]
    [InlineData(Below)]
    [InlineData(Above)]
    public void Increment_update_touch_and_expire_store_exactly_the_stamp(ulong stamp)
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Raise(engine);
        engine.Set("counter", "41");
        engine.Set("text", "abc");
        engine.Set("touched", "v");
        engine.Set("expiring", "v");
        var seen = new CopySink();
        using (engine.StampVersions(stamp))
        {
            Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("counter"), 1, default, false, out long value, out ulong version));
            Assert.Equal(42, value);
            Assert.Equal(stamp, version);
            Assert.Equal(CacheStatus.Ok, engine.Increment(Bytes("created"), 5, default, true, out value, out version));
            Assert.Equal(stamp, version);

            var append = new AppendUpdater(Bytes("def"));
            Assert.Equal(CacheStatus.Ok, engine.Update(Bytes("text"), ref append, default, out version));
            Assert.Equal(stamp, version);
            append = new AppendUpdater(Bytes("fresh"));
            Assert.Equal(CacheStatus.Ok, engine.Update(Bytes("appended"), ref append, default, out version));
            Assert.Equal(stamp, version);

            // GETEX: the sink sees the item as it was.
            Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("touched"), new WriteOptions { TimeToLiveMs = 7000 }, out version, ref seen));
            Assert.Equal(stamp, version);

            Assert.Equal(CacheStatus.Ok, engine.Expire(Bytes("expiring"), clock.UnixMilliseconds + 9000, ExpiryCondition.Always));
        }
        Assert.Equal(stamp, VersionOf(engine, "counter"));
        Assert.Equal("42", engine.GetString("counter"));
        Assert.Equal(stamp, VersionOf(engine, "created"));
        Assert.Equal("5", engine.GetString("created"));
        Assert.Equal(stamp, VersionOf(engine, "text"));
        Assert.Equal("abcdef", engine.GetString("text"));
        Assert.Equal(stamp, VersionOf(engine, "appended"));
        Assert.Equal("fresh", engine.GetString("appended"));
        Assert.Equal(1, seen.Calls);
        Assert.NotEqual(stamp, seen.Version);
        Assert.Equal(0, seen.ExpiresAt);
        CopySink touched = engine.GetItem("touched", out _);
        Assert.Equal(stamp, touched.Version);
        Assert.Equal(clock.UnixMilliseconds + 7000, touched.ExpiresAt);
        CopySink expiring = engine.GetItem("expiring", out _);
        Assert.Equal(stamp, expiring.Version);
        Assert.Equal(clock.UnixMilliseconds + 9000, expiring.ExpiresAt);
    }

    [Fact]
    public void A_stamped_delete_leaves_a_tombstone_at_the_stamp_and_answers_as_before()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Raise(engine);
        engine.Set("a", "va");
        engine.Set("b", "vb");
        var previous = new CopySink();
        using (engine.StampVersions(Below))
        {
            Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("a"), default, out ulong version));
            Assert.Equal(Below, version);
            // GETDEL: the item goes to the sink first.
            Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("b"), default, out version, ref previous));
            Assert.Equal(Below, version);
        }
        Assert.Equal(1, previous.Calls);
        Assert.Equal("vb", Encoding.UTF8.GetString(previous.Value!));
        AssertTombstone(engine, "a", Below, clock);
        AssertTombstone(engine, "b", Below, clock);
        Assert.Equal(1, engine.Count); // "raise"
        Assert.Equal(2, engine.GetStats().Tombstones);
        // The tombstone refuses an older replica write and gives way to a newer one.
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("a"), Bytes("late"), Newer(Below - 1), out _));
        Assert.Equal(CacheStatus.Stale, engine.Set(Bytes("a"), Bytes("late"), Newer(Below), out _));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("a"), Bytes("next"), Newer(Below + 1), out _));
        Assert.Equal("next", engine.GetString("a"));
        // It is swept once its retention is over.
        clock.Advance(RetentionMs);
        Assert.Equal(1, engine.Maintain(1 << 16));
        engine.InspectItem("b", out CacheStatus swept);
        Assert.Equal(CacheStatus.NotFound, swept);
    }

    [Fact]
    public void A_stamped_delete_that_removes_nothing_leaves_nothing()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set("expired", "v", new WriteOptions { TimeToLiveMs = 100 });
        engine.Delete(Bytes("gone"), Newer(300), out _);
        engine.Set("cas", "v");
        clock.Advance(100);
        var previous = new CopySink();
        using (engine.StampVersions(Above))
        {
            Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("missing"), default, out _, ref previous));
            // An expired item is dropped on the way, as unstamped: no tombstone.
            Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("expired"), default, out _));
            // A tombstone already there keeps its version.
            Assert.Equal(CacheStatus.NotFound, engine.Delete(Bytes("gone"), default, out _));
            // A failed condition removes nothing.
            Assert.Equal(CacheStatus.Exists, engine.Delete(Bytes("cas"),
                new WriteOptions { Condition = WriteCondition.IfVersionMatches, Version = 12345 }, out _));
        }
        Assert.Equal(0, previous.Calls);
        Assert.Equal(CacheStatus.NotFound, Inspect(engine, "missing"));
        Assert.Equal(CacheStatus.NotFound, Inspect(engine, "expired"));
        Assert.Equal(300UL, VersionOf(engine, "gone"));
        Assert.NotEqual(Above, VersionOf(engine, "cas"));
        Assert.Equal("v", engine.GetString("cas"));
        Assert.Equal(1, engine.GetStats().Tombstones);

        static CacheStatus Inspect(CacheEngine engine, string key)
        {
            engine.InspectItem(key, out CacheStatus status);
            return status;
        }
    }

    [Fact]
    public void A_stamped_expire_in_the_past_leaves_a_tombstone_at_the_stamp()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Raise(engine);
        engine.Set("now", "v");
        engine.Set("past", "v");
        engine.Set("ttl", "v", new WriteOptions { TimeToLiveMs = 50 });
        using (engine.StampVersions(Below))
        {
            Assert.Equal(CacheStatus.Ok, engine.Expire(Bytes("now"), clock.UnixMilliseconds, ExpiryCondition.Always));
            Assert.Equal(CacheStatus.Ok, engine.Expire(Bytes("past"), 1, ExpiryCondition.Always));
            // A failed condition changes nothing (the key has an expiry: NX fails).
            Assert.Equal(CacheStatus.Exists, engine.Expire(Bytes("ttl"), 1, ExpiryCondition.IfNone));
            Assert.Equal(CacheStatus.NotFound, engine.Expire(Bytes("missing"), 1, ExpiryCondition.Always));
        }
        AssertTombstone(engine, "now", Below, clock);
        AssertTombstone(engine, "past", Below, clock);
        Assert.NotEqual(Below, VersionOf(engine, "ttl"));
        Assert.Equal("v", engine.GetString("ttl"));
        Assert.Equal(0, engine.InspectItem("missing", out _).Calls);
        Assert.Equal(2, engine.GetStats().Tombstones);
    }

    [Fact]
    public void A_stamped_rename_writes_the_target_and_leaves_a_tombstone_for_the_source()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        Raise(engine);
        engine.Set("src", "value", new WriteOptions { Flags = 7, TimeToLiveMs = 20_000 });
        engine.Set("dst", "old");
        using (engine.StampVersions(Below))
        {
            Assert.Equal(CacheStatus.Ok, engine.Rename(Bytes("src"), Bytes("dst"), onlyIfAbsent: false));
        }
        CopySink target = engine.GetItem("dst", out _);
        Assert.Equal(Below, target.Version);
        Assert.Equal("value", Encoding.UTF8.GetString(target.Value!));
        Assert.Equal(7u, target.Flags);
        Assert.Equal(clock.UnixMilliseconds + 20_000, target.ExpiresAt);
        AssertTombstone(engine, "src", Below, clock);
        Assert.Equal(1, engine.GetStats().Tombstones);
    }

    [Fact]
    public void A_stamped_copy_writes_the_target_and_leaves_the_source()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        Raise(engine);
        engine.Set("src", "value");
        ulong source = VersionOf(engine, "src");
        using (engine.StampVersions(Above))
        {
            Assert.Equal(CacheStatus.Ok, engine.Copy(Bytes("src"), Bytes("dst"), replace: false));
        }
        Assert.Equal(Above, VersionOf(engine, "dst"));
        Assert.Equal("value", engine.GetString("dst"));
        Assert.Equal(source, VersionOf(engine, "src"));
        Assert.Equal("value", engine.GetString("src"));
        Assert.Equal(0, engine.GetStats().Tombstones);
    }

    [Fact]
    public void A_refused_rename_or_copy_under_a_stamp_changes_nothing()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        Raise(engine);
        engine.Set("src", "s");
        engine.Set("dst", "d");
        ulong source = VersionOf(engine, "src");
        ulong target = VersionOf(engine, "dst");
        using (engine.StampVersions(Above))
        {
            Assert.Equal(CacheStatus.Exists, engine.Rename(Bytes("src"), Bytes("dst"), onlyIfAbsent: true));
            Assert.Equal(CacheStatus.Exists, engine.Copy(Bytes("src"), Bytes("dst"), replace: false));
            Assert.Equal(CacheStatus.NotFound, engine.Rename(Bytes("missing"), Bytes("dst"), onlyIfAbsent: false));
        }
        Assert.Equal(source, VersionOf(engine, "src"));
        Assert.Equal(target, VersionOf(engine, "dst"));
        Assert.Equal("s", engine.GetString("src"));
        Assert.Equal("d", engine.GetString("dst"));
        Assert.Equal(0, engine.GetStats().Tombstones);
    }

    [Fact]
    public void A_stamped_msetnx_stores_every_pair_at_the_stamp_or_nothing()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        Raise(engine);
        var pairs = new PairList(("a", "1"), ("b", "2"), ("c", "3"));
        using (engine.StampVersions(Below))
        {
            Assert.Equal(CacheStatus.Ok, engine.SetAllIfNoneExist(ref pairs));
        }
        foreach (string key in new[] { "a", "b", "c" })
        {
            Assert.Equal(Below, VersionOf(engine, key));
        }
        var refused = new PairList(("d", "4"), ("a", "again"));
        using (engine.StampVersions(Above))
        {
            Assert.Equal(CacheStatus.Exists, engine.SetAllIfNoneExist(ref refused));
        }
        Assert.Equal(Below, VersionOf(engine, "a"));
        Assert.Equal("1", engine.GetString("a"));
        Assert.Equal(0, engine.InspectItem("d", out _).Calls);
    }

    [Fact]
    public void Failed_conditions_under_a_stamp_write_nothing_and_keep_the_old_version()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        Raise(engine);
        engine.Set("k", "text");
        ulong before = VersionOf(engine, "k");
        using (engine.StampVersions(Above))
        {
            Assert.Equal(CacheStatus.Exists, engine.Set(Bytes("k"), Bytes("x"), new WriteOptions { Condition = WriteCondition.IfAbsent }, out _));
            Assert.Equal(CacheStatus.NotFound, engine.Set(Bytes("none"), Bytes("x"), new WriteOptions { Condition = WriteCondition.IfPresent }, out _));
            Assert.Equal(CacheStatus.Exists, engine.Set(Bytes("k"), Bytes("x"),
                new WriteOptions { Condition = WriteCondition.IfVersionMatches, Version = before + 1 }, out _));
            Assert.Equal(CacheStatus.NotANumber, engine.Increment(Bytes("k"), 1, default, true, out _, out _));
            Assert.Equal(CacheStatus.NotFound, engine.Increment(Bytes("none"), 1, default, false, out _, out _));
            Assert.Equal(CacheStatus.NotFound, engine.Touch(Bytes("none"), default, out _));
            var append = new AppendUpdater(Bytes("x"));
            Assert.Equal(CacheStatus.NotFound, engine.Update(Bytes("none"), ref append,
                new WriteOptions { Condition = WriteCondition.IfPresent }, out _));
            Assert.Equal(CacheStatus.Exists, engine.Expire(Bytes("k"), 0, ExpiryCondition.IfAny));
        }
        Assert.Equal(before, VersionOf(engine, "k"));
        Assert.Equal("text", engine.GetString("k"));
        Assert.Equal(0, engine.InspectItem("none", out _).Calls);
        Assert.Equal(0, engine.GetStats().Tombstones);
    }

    [Fact]
    public void A_replica_write_under_a_stamp_keeps_its_own_version_and_reads_change_nothing()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        engine.Set("read", "v");
        ulong read = VersionOf(engine, "read");
        using (engine.StampVersions(Above))
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("replica"), Bytes("v"), Newer(77), out ulong version));
            Assert.Equal(77UL, version);
            Assert.Equal("v", engine.GetString("read"));
            Assert.True(engine.Contains(Bytes("read")));
        }
        Assert.Equal(77UL, VersionOf(engine, "replica"));
        Assert.Equal(read, VersionOf(engine, "read"));
    }

    [Fact]
    public void The_stamp_ends_with_its_scope_and_covers_only_its_thread_and_engine()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        using CacheEngine other = NewEngine(new ManualClock());
        Raise(engine);
        using (engine.StampVersions(Below))
        {
            ulong elsewhere = 0;
            var thread = new Thread(() => engine.Set(Bytes("thread"), Bytes("v"), default, out elsewhere));
            thread.Start();
            thread.Join();
            Assert.True(elsewhere > 1000);
            Assert.Equal(CacheStatus.Ok, other.Set(Bytes("other"), Bytes("v"), default, out ulong otherVersion));
            Assert.NotEqual(Below, otherVersion);
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("stamped"), Bytes("v"), default, out ulong version));
            Assert.Equal(Below, version);
        }
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("after"), Bytes("v"), default, out ulong after));
        Assert.True(after > 1000);
        Assert.Equal(Below, VersionOf(engine, "stamped"));
    }

    [Fact]
    public void Stamps_do_not_nest_and_are_never_zero()
    {
        using CacheEngine engine = NewEngine(new ManualClock());
        using CacheEngine other = NewEngine(new ManualClock());
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            using VersionStamp stamp = engine.StampVersions(0);
        });
        Assert.Throws<InvalidOperationException>(() =>
        {
            using VersionStamp outer = engine.StampVersions(10);
            using VersionStamp inner = other.StampVersions(11);
        });
        // The failed inner stamp did not end the outer one early, and the outer one ended with its scope.
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("v"), default, out ulong version));
        Assert.NotEqual(10UL, version);
        using (VersionStamp stamp = engine.StampVersions(12))
        {
            Assert.Equal(12UL, stamp.Version);
            default(VersionStamp).Dispose(); // harmless
            Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), Bytes("w"), default, out version));
            Assert.Equal(12UL, version);
        }
    }

    [Fact]
    public void Without_a_stamp_removals_leave_no_tombstone_and_touches_keep_the_version()
    {
        var clock = new ManualClock();
        using CacheEngine engine = NewEngine(clock);
        engine.Set("del", "v");
        engine.Set("exp", "v");
        engine.Set("src", "v");
        engine.Set("touch", "v");
        engine.Set("later", "v");
        ulong touch = VersionOf(engine, "touch");
        ulong later = VersionOf(engine, "later");
        Assert.Equal(CacheStatus.Ok, engine.Delete(Bytes("del")));
        Assert.Equal(CacheStatus.Ok, engine.Expire(Bytes("exp"), 1, ExpiryCondition.Always));
        Assert.Equal(CacheStatus.Ok, engine.Rename(Bytes("src"), Bytes("dst"), onlyIfAbsent: false));
        Assert.Equal(CacheStatus.Ok, engine.Touch(Bytes("touch"), new WriteOptions { TimeToLiveMs = 1000 }, out ulong version));
        Assert.Equal(touch, version);
        Assert.Equal(CacheStatus.Ok, engine.Expire(Bytes("later"), clock.UnixMilliseconds + 1000, ExpiryCondition.Always));
        Assert.Equal(touch, VersionOf(engine, "touch"));
        Assert.Equal(later, VersionOf(engine, "later"));
        foreach (string key in new[] { "del", "exp", "src" })
        {
            Assert.Equal(0, engine.InspectItem(key, out CacheStatus status).Calls);
            Assert.Equal(CacheStatus.NotFound, status);
        }
        Assert.Equal(0, engine.GetStats().Tombstones);
    }
}
