using System.Globalization;
using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>
/// Drives an engine and a managed model of it with the same random operations and compares every answer.
/// Without eviction the answers must match exactly. Under eviction an item or tombstone may vanish, but only
/// after an eviction happened since it was written; a value handed back must still be exactly the model's.
/// Some writes run under a version stamp (<see cref="CacheEngine.StampVersions"/>): they store the stamp, and a
/// delete leaves a tombstone carrying it. Now and then <see cref="CacheEngine.FlushBelow"/> drops what is older.
/// </summary>
internal sealed class ModelRun : IDisposable
{
    private const long RetentionMs = 3000;

    private readonly Random _random;
    private readonly ManualClock _clock = new();
    private readonly CacheEngine _engine;
    private readonly bool _eviction;
    private readonly byte[][] _keys;
    private readonly ModelEntry?[] _model;
    private readonly ulong[] _maxVersion;
    private readonly int _hotKeys;
    private long _op;
    private long _evictedSeen;
    // The stamp the current operation runs under; 0: none (a local write then takes a new local version).
    private ulong _stamp;
    // The highest floor flushed below: replica writes at or below it are stale.
    private ulong _floor;

    public ModelRun(int seed, long memoryLimit, int shards, bool eviction, int keys, int hotKeys)
    {
        _random = new Random(seed);
        _eviction = eviction;
        _hotKeys = hotKeys;
        _engine = new CacheEngine(new EngineOptions
        {
            MemoryLimit = memoryLimit,
            Shards = shards,
            TombstoneRetention = TimeSpan.FromMilliseconds(RetentionMs),
        }, _clock);
        _keys = new byte[keys][];
        for (int i = 0; i < keys; i++)
        {
            // Varied lengths so keys land in different size classes with the same value.
            _keys[i] = Encoding.ASCII.GetBytes(i % 7 == 0 ? $"key:{i}:{new string('p', i % 90)}" : $"key:{i}");
        }
        _model = new ModelEntry?[keys];
        _maxVersion = new ulong[keys];
    }

    public CacheEngine Engine => _engine;

    /// <summary>Entries the run found evicted (only under eviction).</summary>
    public long EvictedSeen => _evictedSeen;

    /// <summary>Entries (items and tombstones) the model dropped in flushes below a version.</summary>
    public long FlushedAway { get; private set; }

    /// <summary>Operations run under a version stamp.</summary>
    public long Stamped { get; private set; }

    private long Now => _clock.UnixMilliseconds;

    public void Dispose() => _engine.Dispose();

    public void Run(int operations)
    {
        for (_op = 0; _op < operations; _op++)
        {
            int k = _random.Next(10) < 8 ? _random.Next(_hotKeys) : _random.Next(_keys.Length);
            int r = _random.Next(1000);
            // Around what the key holds, like a replica write's version: stamps below, at and above it.
            _stamp = _random.Next(8) == 0
                ? (ulong)Math.Max(1, (long)(_model[k]?.Version ?? _maxVersion[k]) + _random.Next(-3, 5))
                : 0;
            Stamped += _stamp != 0 ? 1 : 0;
            using (_stamp != 0 ? _engine.StampVersions(_stamp) : default)
            {
                Operate(k, r);
            }

            if (_op % 100_000 == 99_999)
            {
                CheckSnapshot();
            }
        }
        SweepAll();
        CheckSnapshot();
        if (!_eviction)
        {
            Assert.Equal(0, _engine.GetStats().Evictions);
        }
    }

    private void Operate(int k, int r)
    {
        if (r < 250) Get(k);
        else if (r < 430) Set(k, WriteCondition.Always);
        else if (r < 480) Set(k, WriteCondition.IfAbsent);
        else if (r < 530) Set(k, WriteCondition.IfPresent);
        else if (r < 600) Set(k, WriteCondition.IfVersionMatches);
        else if (r < 680) Set(k, WriteCondition.IfNewer);
        else if (r < 740) Delete(k, WriteCondition.Always);
        else if (r < 760) Delete(k, WriteCondition.IfVersionMatches);
        else if (r < 810) Delete(k, WriteCondition.IfNewer);
        else if (r < 870) Increment(k, WriteCondition.Always);
        else if (r < 880) Increment(k, WriteCondition.IfNewer);
        else if (r < 930) Touch(k, WriteCondition.Always);
        else if (r < 940) Touch(k, WriteCondition.IfNewer);
        else if (r < 970) _clock.Advance(_random.Next(0, 800));
        else if (r < 971) SweepAll();
        else if (r == 971 && _random.Next(50) == 0) FlushBelow(k); // rare: it drops all older state
        else CheckCounts();
    }

    // ---- operations -------------------------------------------------------------------------------------

    private void Get(int k)
    {
        var sink = new CopySink();
        CacheStatus status = _engine.Get(_keys[k], ref sink);
        ModelEntry? e = _model[k];
        bool expectOk = e is { Tombstone: false } && !Expired(e);
        if (status == CacheStatus.Ok)
        {
            Assert.True(expectOk, Describe(k, "get returned an item the model does not hold"));
            AssertSame(k, e!, sink, "get");
            return;
        }
        Assert.Equal(CacheStatus.NotFound, status);
        if (expectOk)
        {
            Evicted(k);
        }
        else if (e is { Tombstone: false })
        {
            _model[k] = null; // expired: removed on the way
        }
    }

    private void Set(int k, WriteCondition condition)
    {
        byte[] value = NewValue();
        bool compressedInput = value.Length > 64 && _random.Next(20) == 0;
        WriteOptions options = NewOptions(k, condition) with
        {
            KeepTimeToLive = _random.Next(20) == 0,
            ValueIsCompressed = compressedInput,
        };
        var previous = new CopySink();
        CacheStatus status = _engine.Set(_keys[k], compressedInput ? CompressionTests.Compress(value) : value, options,
            out ulong version, ref previous);
        Check(k, e => PredictSet(e, options, value), status, previous, version, 0, "set " + condition);
    }

    private void Delete(int k, WriteCondition condition)
    {
        WriteOptions options = NewOptions(k, condition) with { TimeToLiveMs = 0, ExpiresAtUnixMs = 0 };
        var previous = new CopySink();
        CacheStatus status = _engine.Delete(_keys[k], options, out ulong version, ref previous);
        Check(k, e => PredictDelete(e, options), status, previous, version, 0, "delete " + condition);
    }

    private void Increment(int k, WriteCondition condition)
    {
        WriteOptions options = NewOptions(k, condition);
        long delta = _random.Next(50) switch
        {
            0 => long.MaxValue - _random.Next(3),
            1 => long.MinValue + _random.Next(3),
            _ => _random.Next(-100, 101),
        };
        bool create = _random.Next(2) == 0;
        CacheStatus status = _engine.Increment(_keys[k], delta, options, create, out long result, out ulong version);
        Check(k, e => PredictIncrement(e, options, delta, create), status, default, version, result, "increment " + condition);
    }

    private void Touch(int k, WriteCondition condition)
    {
        WriteOptions options = NewOptions(k, condition);
        var previous = new CopySink();
        CacheStatus status = _engine.Touch(_keys[k], options, out ulong version, ref previous);
        Check(k, e => PredictTouch(e, options), status, previous, version, 0, "touch " + condition);
    }

    private void SweepAll()
    {
        int expected = 0;
        for (int k = 0; k < _model.Length; k++)
        {
            if (_model[k] is { } e && Expired(e))
            {
                expected++;
                _model[k] = null;
            }
        }
        // Enough buckets per shard to finish any resize and visit every bucket once.
        int removed = _engine.Maintain((int)_engine.GetStats().Buckets);
        if (_eviction)
        {
            Assert.InRange(removed, 0, expected);
        }
        else
        {
            Assert.Equal(expected, removed);
        }
        CheckCounts();
    }

    private void FlushBelow(int k)
    {
        ulong floor = (ulong)Math.Max(1, (long)(_model[k]?.Version ?? _maxVersion[k]) - _random.Next(0, 2000));
        _engine.FlushBelow(floor);
        _floor = Math.Max(_floor, floor);
        Assert.Equal(_floor, _engine.FlushFloor);
        for (int i = 0; i < _model.Length; i++)
        {
            if (_model[i] is { } e && e.Version <= floor)
            {
                _model[i] = null;
                FlushedAway++;
            }
        }
        CheckCounts();
    }

    // ---- predictions ------------------------------------------------------------------------------------

    /// <summary>What a write finds: the item or tombstone held, whether it is live, and the state once an expired item is dropped.</summary>
    private (ModelEntry? Held, bool Live, ModelEntry? Base) FindForWrite(ModelEntry? e, WriteCondition condition)
    {
        if (e is null) return (null, false, null);
        if (e.Tombstone) return (e, false, e);
        if (Expired(e))
        {
            // A replica write still compares against an expired item's version; a local write drops it.
            return condition == WriteCondition.IfNewer ? (e, false, e) : (null, false, null);
        }
        return (e, true, e);
    }

    /// <summary>Whether a replica write is refused: no newer than what is held, or than the flush floor.</summary>
    private bool Stale(ModelEntry? held, WriteOptions o) => o.Version <= _floor || held != null && o.Version <= held.Version;

    /// <summary>Whether a replica delete is refused: as <see cref="Stale"/>, except that it beats an item (not a tombstone) of its own version.</summary>
    private bool StaleDelete(ModelEntry? held, WriteOptions o) =>
        o.Version <= _floor || held != null && (o.Version < held.Version || o.Version == held.Version && held.Tombstone);

    private ModelOutcome PredictSet(ModelEntry? e, WriteOptions o, byte[] value)
    {
        (ModelEntry? held, bool live, ModelEntry? state) = FindForWrite(e, o.Condition);
        CacheStatus status = o.Condition switch
        {
            WriteCondition.IfAbsent => live ? CacheStatus.Exists : CacheStatus.Ok,
            WriteCondition.IfPresent => live ? CacheStatus.Ok : CacheStatus.NotFound,
            WriteCondition.IfVersionMatches => !live ? CacheStatus.NotFound : held!.Version == o.Version ? CacheStatus.Ok : CacheStatus.Exists,
            WriteCondition.IfNewer => Stale(held, o) ? CacheStatus.Stale : CacheStatus.Ok,
            _ => CacheStatus.Ok,
        };
        if (status != CacheStatus.Ok)
        {
            return new ModelOutcome(status, null, 0, 0, state);
        }
        long expiry = o.KeepTimeToLive && live ? held!.ExpiresAt : ExpiryOf(o);
        ulong version = o.Condition == WriteCondition.IfNewer ? o.Version : _stamp;
        return new ModelOutcome(CacheStatus.Ok, live ? held : null, version, 0, new ModelEntry(value, version, o.Flags, expiry, false));
    }

    private ModelOutcome PredictDelete(ModelEntry? e, WriteOptions o)
    {
        (ModelEntry? held, bool live, ModelEntry? state) = FindForWrite(e, o.Condition);
        if (o.Condition == WriteCondition.IfNewer)
        {
            if (StaleDelete(held, o))
            {
                return new ModelOutcome(CacheStatus.Stale, null, 0, 0, state);
            }
            var tombstone = new ModelEntry([], o.Version, 0, Now + RetentionMs, true);
            return new ModelOutcome(live ? CacheStatus.Ok : CacheStatus.NotFound, live ? held : null, o.Version, 0, tombstone);
        }
        if (!live)
        {
            return new ModelOutcome(CacheStatus.NotFound, null, 0, 0, state);
        }
        if (o.Condition == WriteCondition.IfVersionMatches && held!.Version != o.Version)
        {
            return new ModelOutcome(CacheStatus.Exists, null, 0, 0, state);
        }
        if (_stamp != 0)
        {
            return new ModelOutcome(CacheStatus.Ok, held, _stamp, 0, new ModelEntry([], _stamp, 0, Now + RetentionMs, true));
        }
        return new ModelOutcome(CacheStatus.Ok, held, held!.Version, 0, null);
    }

    private ModelOutcome PredictIncrement(ModelEntry? e, WriteOptions o, long delta, bool create)
    {
        bool replica = o.Condition == WriteCondition.IfNewer;
        (ModelEntry? held, bool live, ModelEntry? state) = FindForWrite(e, o.Condition);
        if (replica && Stale(held, o))
        {
            return new ModelOutcome(CacheStatus.Stale, null, 0, 0, state);
        }
        long current = 0;
        long expiry = ExpiryOf(o);
        uint flags = o.Flags;
        if (live)
        {
            if (!StrictInteger(held!.Value, out current))
            {
                return new ModelOutcome(CacheStatus.NotANumber, null, 0, 0, state);
            }
            expiry = held.ExpiresAt;
            flags = held.Flags;
        }
        else if (!create)
        {
            return new ModelOutcome(CacheStatus.NotFound, null, 0, 0, state);
        }
        long result;
        try
        {
            result = checked(current + delta);
        }
        catch (OverflowException)
        {
            return new ModelOutcome(CacheStatus.Overflow, null, 0, 0, state);
        }
        ulong version = replica ? o.Version : _stamp;
        byte[] text = Encoding.ASCII.GetBytes(result.ToString(CultureInfo.InvariantCulture));
        return new ModelOutcome(CacheStatus.Ok, null, version, result, new ModelEntry(text, version, flags, expiry, false));
    }

    private ModelOutcome PredictTouch(ModelEntry? e, WriteOptions o)
    {
        bool replica = o.Condition == WriteCondition.IfNewer;
        (ModelEntry? held, bool live, ModelEntry? state) = FindForWrite(e, o.Condition);
        if (replica && Stale(held, o))
        {
            return new ModelOutcome(CacheStatus.Stale, null, 0, 0, state);
        }
        if (!live)
        {
            return new ModelOutcome(CacheStatus.NotFound, null, 0, 0, state);
        }
        ulong version = replica ? o.Version : _stamp != 0 ? _stamp : held!.Version;
        return new ModelOutcome(CacheStatus.Ok, held, version, 0, held! with { ExpiresAt = ExpiryOf(o), Version = version });
    }

    // ---- checking ---------------------------------------------------------------------------------------

    private void Check(int k, Func<ModelEntry?, ModelOutcome> predict, CacheStatus status, in CopySink previous,
        ulong version, long value, string what)
    {
        ModelEntry? e = _model[k];
        ModelOutcome expected = predict(e);
        if (!Matches(k, expected, status, previous, version, value) && e != null && _eviction)
        {
            // The only excuse under eviction: the entry is gone.
            Evicted(k);
            expected = predict(null);
        }
        if (!Matches(k, expected, status, previous, version, value))
        {
            Assert.Fail(Describe(k, $"{what}: expected {expected.Status} (previous {(expected.Previous is null ? "none" : "item")}, " +
                $"version {expected.Version}, value {expected.Value}), got {status} (previous calls {previous.Calls}, version {version}, value {value})"));
        }
        if (expected.Previous is not null)
        {
            AssertSame(k, expected.Previous, previous, what + " previous");
        }
        ModelEntry? next = expected.Next;
        if (next != null && !ReferenceEquals(next, e))
        {
            if (next.Version == 0)
            {
                next = next with { Version = version };
            }
            next.EvictionsAtWrite = _eviction ? _engine.GetStats().Evictions : 0;
        }
        if (status == CacheStatus.Ok || expected.Status == CacheStatus.NotFound && next is { Tombstone: true })
        {
            _maxVersion[k] = Math.Max(_maxVersion[k], version);
        }
        _model[k] = next;
    }

    private bool Matches(int k, ModelOutcome expected, CacheStatus status, in CopySink previous, ulong version, long value)
    {
        if (status != expected.Status || previous.Calls != (expected.Previous is null ? 0 : 1))
        {
            return false;
        }
        if (expected.Previous is not null && previous.Version != expected.Previous.Version)
        {
            return false;
        }
        if (status == CacheStatus.Ok)
        {
            if (expected.Version == 0 ? version <= _maxVersion[k] : version != expected.Version)
            {
                return false;
            }
            if (value != expected.Value)
            {
                return false;
            }
        }
        return true;
    }

    private void Evicted(int k)
    {
        ModelEntry e = _model[k]!;
        Assert.True(_eviction, Describe(k, "the key vanished without eviction"));
        long evictions = _engine.GetStats().Evictions;
        Assert.True(evictions > e.EvictionsAtWrite, Describe(k, $"the key vanished but no eviction happened since it was written ({evictions})"));
        _model[k] = null;
        _evictedSeen++;
    }

    private void AssertSame(int k, ModelEntry e, in CopySink item, string what)
    {
        if (!e.Value.AsSpan().SequenceEqual(item.Value) || e.Version != item.Version || e.Flags != item.Flags ||
            e.ExpiresAt != item.ExpiresAt || item.Tombstone || !_keys[k].AsSpan().SequenceEqual(item.Key))
        {
            Assert.Fail(Describe(k, $"{what}: engine holds {item.Value?.Length} bytes v{item.Version} flags {item.Flags} " +
                $"expires {item.ExpiresAt} tombstone {item.Tombstone}"));
        }
    }

    private void CheckCounts()
    {
        long items = 0, tombstones = 0;
        foreach (ModelEntry? e in _model)
        {
            if (e is null) continue;
            if (e.Tombstone) tombstones++; else items++;
        }
        EngineStats stats = _engine.GetStats();
        if (_eviction)
        {
            Assert.InRange(_engine.Count, 0, items);
            Assert.InRange(stats.Tombstones, 0, tombstones);
        }
        else
        {
            Assert.Equal(items, _engine.Count);
            Assert.Equal(tombstones, stats.Tombstones);
        }
        Assert.Equal(_engine.Count, stats.Items);
        Assert.True(stats.Pages <= stats.PageLimit);
    }

    private void CheckSnapshot()
    {
        var byKey = new Dictionary<string, int>(_keys.Length);
        for (int k = 0; k < _keys.Length; k++)
        {
            byKey[Encoding.ASCII.GetString(_keys[k])] = k;
        }
        var sink = new SnapshotSink();
        SnapshotCursor cursor = _engine.CreateSnapshot();
        while (!cursor.IsComplete)
        {
            cursor.Read(ref sink, _random.Next(1, 64));
        }
        Assert.Equal(sink.Items.Count, sink.Yielded); // nothing changed during it, so nothing twice
        int expected = 0;
        for (int k = 0; k < _keys.Length; k++)
        {
            if (_model[k] is { } e && !Expired(e)) expected++;
        }
        foreach ((string key, SnapshotItem item) in sink.Items)
        {
            Assert.True(byKey.TryGetValue(key, out int k), $"snapshot yielded unknown key {key}");
            ModelEntry? e = _model[k];
            Assert.True(e != null && !Expired(e), Describe(k, "snapshot yielded a key the model does not hold"));
            Assert.True(e!.Tombstone == item.Tombstone && e.Version == item.Version && e.ExpiresAt == item.ExpiresAt &&
                (e.Tombstone || e.Value.AsSpan().SequenceEqual(item.Value)), Describe(k, "snapshot yielded a different item"));
        }
        if (!_eviction)
        {
            Assert.Equal(expected, sink.Items.Count);
        }
    }

    // ---- generators -------------------------------------------------------------------------------------

    private WriteOptions NewOptions(int k, WriteCondition condition)
    {
        ulong version = 0;
        ModelEntry? e = _model[k];
        if (condition == WriteCondition.IfVersionMatches)
        {
            version = e != null && _random.Next(3) != 0 ? e.Version : (ulong)_random.Next(1, 1000);
        }
        else if (condition == WriteCondition.IfNewer)
        {
            // Around what the key holds, so versioned writes arrive both late (stale) and in order.
            long around = (long)(e?.Version ?? _maxVersion[k]) + _random.Next(-3, 5);
            version = (ulong)Math.Max(1, around);
        }
        int expiry = _random.Next(100);
        return new WriteOptions
        {
            Condition = condition,
            Version = version,
            TimeToLiveMs = expiry < 20 ? _random.Next(1, 5000) : 0,
            ExpiresAtUnixMs = expiry is >= 20 and < 28 ? Now + _random.Next(-1000, 5000) : 0,
            Flags = _random.Next(10) < 3 ? (uint)_random.Next() : 0,
        };
    }

    private byte[] NewValue()
    {
        int r = _random.Next(100);
        if (r < 12)
        {
            long number = _random.Next(10) == 0 ? long.MaxValue - _random.Next(100) : _random.Next(-1000, 1000);
            return Encoding.ASCII.GetBytes(number.ToString(CultureInfo.InvariantCulture));
        }
        int length = r < 60 ? _random.Next(0, 40) : r < 85 ? _random.Next(40, 500) : r < 96 ? _random.Next(500, 4000) : _random.Next(4000, 20_000);
        byte[] value = new byte[length];
        if (_random.Next(2) == 0)
        {
            _random.NextBytes(value);
        }
        else
        {
            byte seed = (byte)_random.Next(256);
            for (int i = 0; i < length; i++) value[i] = (byte)(seed + i % 13);
        }
        if (length > 0 && value[0] is >= (byte)'0' and <= (byte)'9' or (byte)'-')
        {
            value[0] = (byte)'x'; // keep numbers and non-numbers apart: only the numeric branch makes numbers
        }
        return value;
    }

    private long ExpiryOf(in WriteOptions o) =>
        o.ExpiresAtUnixMs != 0 ? o.ExpiresAtUnixMs : o.TimeToLiveMs > 0 ? Now + o.TimeToLiveMs : 0;

    private bool Expired(ModelEntry e) => e.ExpiresAt != 0 && e.ExpiresAt <= Now;

    /// <summary>Redis's integer text, written independently of the engine's parser.</summary>
    private static bool StrictInteger(byte[] value, out long result)
    {
        result = 0;
        string text = Encoding.ASCII.GetString(value);
        if (text.Length == 0 || text.Length > 20 || text == "-0" || text.StartsWith('+') ||
            (text.Length > 1 && text[0] == '0') || (text.Length > 2 && text[0] == '-' && text[1] == '0'))
        {
            return false;
        }
        foreach (char c in text.TrimStart('-'))
        {
            if (c is < '0' or > '9') return false;
        }
        return text.Count(c => c == '-') <= (text[0] == '-' ? 1 : 0) &&
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
    }

    private string Describe(int k, string problem) =>
        $"op {_op}, key {Encoding.ASCII.GetString(_keys[k])}, model {(_model[k] is { } e ? $"{(e.Tombstone ? "tombstone" : "item")} " +
            $"v{e.Version} {e.Value.Length} bytes flags {e.Flags} expires {e.ExpiresAt} (now {Now})" : "nothing")}: {problem}";
}
