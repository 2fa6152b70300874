using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// One independently locked part of the engine: a hash table and the slab classes its items live in.
/// Every field is guarded by <see cref="_lock"/>; methods whose names end in "Locked", and every private
/// method, expect the caller to hold it. Keys are spread over shards by the top bits of their hash.
/// Lock order: a shard lock, then the arena's pool lock. A shard that needs a page from another shard
/// only ever try-enters that shard's lock, so two shards never wait on each other.
/// </summary>
internal sealed unsafe partial class Shard
{
    private readonly ShardLock _lock = new();
    private readonly CacheEngine _engine;
    private readonly SlabArena _arena;
    private readonly EngineClock _clock;
    private readonly long _tombstoneRetentionMs;
    private readonly IEvictionObserver? _evictionObserver;

    private long _items;
    private long _tombstones;
    private ulong _lastVersion;
    // Replica writes at or below this version are stale whatever the table holds (FlushBelow); only ever raised.
    private ulong _flushFloor;

    private long _hits;
    private long _misses;
    private long _evictions;
    private long _expirations;
    private long _pagesMoved;

    public Shard(CacheEngine engine, SlabArena arena, EngineClock clock, int index, long tombstoneRetentionMs,
        IEvictionObserver? evictionObserver)
    {
        _evictionObserver = evictionObserver;
        _engine = engine;
        _arena = arena;
        _clock = clock;
        Index = index;
        _tombstoneRetentionMs = tombstoneRetentionMs;
        _table = new BucketTable(arena, InitialBuckets);
        _classes = new SlabClass[SizeClasses.Count];
        for (int i = 0; i < _classes.Length; i++)
        {
            _classes[i] = new SlabClass(SizeClasses.ChunkSizes[i]);
        }
    }

    public int Index { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long NowRaw() => _clock.UnixMilliseconds - EngineLimits.ExpiryEpochUnixMs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsExpiredNow(ulong meta) => Item.RawExpiry(meta) != 0 && Item.IsExpired(meta, NowRaw());

    public CacheStatus Get<TSink>(ReadOnlySpan<byte> key, ulong hash, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        using (_lock.EnterScope())
        {
            byte* item = FindLive(key, hash, out _);
            if (item == null)
            {
                _misses++;
                return CacheStatus.NotFound;
            }
            _hits++;
            Item.MarkReferenced(item);
            sink.Accept(Item.View(item));
            return CacheStatus.Ok;
        }
    }

    /// <summary>
    /// Hands whatever the table holds for a key to <paramref name="sink"/>: a live item, an expired one (left in
    /// place) or a tombstone. Counts no hit or miss and marks nothing referenced: it reads state, not demand.
    /// </summary>
    public CacheStatus Inspect<TSink>(ReadOnlySpan<byte> key, ulong hash, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        using (_lock.EnterScope())
        {
            SlotRef slot = Find(key, hash);
            if (!slot.Found)
            {
                return CacheStatus.NotFound;
            }
            sink.Accept(Item.View(_arena.Resolve(slot.Ref)));
            return CacheStatus.Ok;
        }
    }

    public CacheStatus Set<TSink>(ReadOnlySpan<byte> key, ulong hash, ReadOnlySpan<byte> stored, ulong valueBits,
        in WriteOptions options, long rawExpiry, ref TSink previous, out ulong version)
        where TSink : IItemSink, allows ref struct
    {
        using (_lock.EnterScope())
        {
            AdvanceResize();
            SlotRef slot = Find(key, hash);
            if (options.Condition == WriteCondition.Always && !options.KeepTimeToLive && slot.Found
                && TryOverwriteInPlace(slot, key, stored, valueBits, rawExpiry, options.Flags, ref previous, out version))
            {
                return CacheStatus.Ok;
            }
            return SetLocked(key, hash, slot, stored, valueBits, options, rawExpiry, ref previous, out version);
        }
    }

    /// <summary>
    /// Every set the in-place overwrite does not take: conditions, a new key, a size class change. Kept out of line so
    /// the short path stays short whatever profile the JIT saw (it sees mostly inserts while a table fills).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CacheStatus SetLocked<TSink>(ReadOnlySpan<byte> key, ulong hash, SlotRef slot, ReadOnlySpan<byte> stored,
        ulong valueBits, in WriteOptions options, long rawExpiry, ref TSink previous, out ulong version)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        byte* item = ClassifyForWrite(ref slot, options.Condition, out bool live);
        CacheStatus check = CheckCondition(item, live, options);
        if (check != CacheStatus.Ok)
        {
            return check;
        }
        if (live)
        {
            previous.Accept(Item.View(item));
            if (options.KeepTimeToLive)
            {
                rawExpiry = Item.RawExpiry(Item.Meta(item));
            }
        }
        version = NextVersion(options);
        return StoreLocked(key, hash, slot, item, stored, valueBits, version, rawExpiry, options.Flags);
    }

    public CacheStatus Delete<TSink>(ReadOnlySpan<byte> key, ulong hash, in WriteOptions options, ref TSink previous,
        out ulong version)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        using (_lock.EnterScope())
        {
            AdvanceResize();
            byte* item = FindForWrite(key, hash, options.Condition, out SlotRef slot, out bool live);
            if (options.Condition == WriteCondition.IfNewer)
            {
                if (IsStaleDelete(item, options.Version))
                {
                    return CacheStatus.Stale;
                }
                if (live)
                {
                    previous.Accept(Item.View(item));
                }
                version = NextVersion(options);
                CacheStatus stored = StoreTombstoneLocked(key, hash, slot, item, version);
                return stored != CacheStatus.Ok ? stored : live ? CacheStatus.Ok : CacheStatus.NotFound;
            }
            if (!live)
            {
                return CacheStatus.NotFound;
            }
            if (options.Condition == WriteCondition.IfVersionMatches && Item.Version(item) != options.Version)
            {
                return CacheStatus.Exists;
            }
            previous.Accept(Item.View(item));
            ulong stamp = VersionStamp.ActiveFor(_engine);
            if (stamp != 0)
            {
                // A stamped delete is replicated: it leaves a tombstone as a versioned one does.
                version = RaiseTo(stamp);
                return StoreTombstoneLocked(key, hash, slot, item, version);
            }
            version = Item.Version(item);
            RemoveLocked(slot, item);
            return CacheStatus.Ok;
        }
    }

    public CacheStatus Increment(ReadOnlySpan<byte> key, ulong hash, long delta, in WriteOptions options,
        long rawExpiryIfCreated, bool createIfMissing, out long result, out ulong version)
    {
        result = 0;
        version = 0;
        using (_lock.EnterScope())
        {
            AdvanceResize();
            byte* item = FindForWrite(key, hash, options.Condition, out SlotRef slot, out bool live);
            if (options.Condition == WriteCondition.IfNewer && IsStale(item, options.Version))
            {
                return CacheStatus.Stale;
            }
            long current = 0;
            long rawExpiry = rawExpiryIfCreated;
            uint flags = options.Flags;
            if (live)
            {
                ulong meta = Item.Meta(item);
                if ((meta & Item.CompressedBit) != 0 || !Int64Text.TryParse(Item.StoredValue(item, meta), out current))
                {
                    return CacheStatus.NotANumber;
                }
                rawExpiry = Item.RawExpiry(meta);
                flags = Item.Flags(item, meta);
            }
            else if (!createIfMissing)
            {
                return CacheStatus.NotFound;
            }
            if (delta > 0 ? current > long.MaxValue - delta : current < long.MinValue - delta)
            {
                return CacheStatus.Overflow;
            }
            result = current + delta;
            Span<byte> text = stackalloc byte[Int64Text.MaxLength];
            int length = Int64Text.Format(result, text);
            version = NextVersion(options);
            return StoreLocked(key, hash, slot, item, text[..length], 0, version, rawExpiry, flags);
        }
    }

    public CacheStatus Touch<TSink>(ReadOnlySpan<byte> key, ulong hash, in WriteOptions options, long rawExpiry,
        ref TSink sink, out ulong version)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        using (_lock.EnterScope())
        {
            byte* item = FindForWrite(key, hash, options.Condition, out _, out bool live);
            if (options.Condition == WriteCondition.IfNewer && IsStale(item, options.Version))
            {
                return CacheStatus.Stale;
            }
            if (!live)
            {
                return CacheStatus.NotFound;
            }
            Item.MarkReferenced(item);
            sink.Accept(Item.View(item));
            Item.SetRawExpiry(item, rawExpiry);
            // A touch keeps the item's version, unless a replica write or a stamp carries one (never 0: a replica
            // write of version 0 is always stale, and a stamp is never 0).
            ulong carried = options.Condition == WriteCondition.IfNewer ? options.Version : VersionStamp.ActiveFor(_engine);
            if (carried != 0)
            {
                Item.SetVersion(item, RaiseTo(carried));
            }
            version = Item.Version(item);
            return CacheStatus.Ok;
        }
    }

    /// <summary>
    /// The common overwrite, kept short: a plain set of a key whose item is in the size class the new one needs
    /// rewrites that chunk in place (the key stays). An item always sits in the smallest class that fits it, so
    /// comparing the two sizes' classes is enough, with no page lookup. Measured: a long path here costs more than
    /// its instructions, as the CPU can no longer overlap the next operation's cache misses (docs/engine.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryOverwriteInPlace<TSink>(SlotRef slot, ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored, ulong valueBits,
        long rawExpiry, uint flags, ref TSink previous, out ulong version)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        byte* item = _arena.Resolve(slot.Ref);
        ulong meta = Item.Meta(item);
        if (Item.IsTombstone(meta)
            || SizeClasses.ClassFor(Item.SizeOf(key.Length, Item.ValueLength(item), Item.Flags(item, meta)))
               != SizeClasses.ClassFor(Item.SizeOf(key.Length, stored.Length, flags)))
        {
            return false;
        }
        // A plain SET hands in a DiscardSink: no view to build then (the JIT drops this for that sink type).
        if (typeof(TSink) != typeof(DiscardSink) && !IsExpiredNow(meta))
        {
            previous.Accept(Item.View(item));
        }
        version = NextLocalVersion();
        Item.Overwrite(item, stored, version, rawExpiry, flags, valueBits);
        return true;
    }

    /// <summary>Finds the live item of a key; an expired one is removed on the way and reported missing.</summary>
    private byte* FindLive(ReadOnlySpan<byte> key, ulong hash, out SlotRef slot)
    {
        slot = Find(key, hash);
        if (!slot.Found)
        {
            return null;
        }
        byte* item = _arena.Resolve(slot.Ref);
        ulong meta = Item.Meta(item);
        if (Item.IsTombstone(meta))
        {
            return null;
        }
        if (IsExpiredNow(meta))
        {
            RemoveLocked(slot, item);
            _expirations++;
            slot = default;
            return null;
        }
        return item;
    }

    /// <summary>
    /// Finds whatever the table holds for a key before a write: the item (or tombstone) and whether it is live.
    /// An expired item is removed, except for a replica write, which still compares against its version.
    /// </summary>
    private byte* FindForWrite(ReadOnlySpan<byte> key, ulong hash, WriteCondition condition, out SlotRef slot,
        out bool live)
    {
        slot = Find(key, hash);
        return ClassifyForWrite(ref slot, condition, out live);
    }

    /// <summary><see cref="FindForWrite"/> for a slot already found.</summary>
    private byte* ClassifyForWrite(ref SlotRef slot, WriteCondition condition, out bool live)
    {
        live = false;
        if (!slot.Found)
        {
            return null;
        }
        byte* item = _arena.Resolve(slot.Ref);
        ulong meta = Item.Meta(item);
        if (Item.IsTombstone(meta))
        {
            return item;
        }
        if (IsExpiredNow(meta))
        {
            if (condition == WriteCondition.IfNewer)
            {
                return item;
            }
            RemoveLocked(slot, item);
            _expirations++;
            slot = default;
            return null;
        }
        live = true;
        return item;
    }

    private CacheStatus CheckCondition(byte* item, bool live, in WriteOptions options) => options.Condition switch
    {
        WriteCondition.IfAbsent => live ? CacheStatus.Exists : CacheStatus.Ok,
        WriteCondition.IfPresent => live ? CacheStatus.Ok : CacheStatus.NotFound,
        WriteCondition.IfVersionMatches => !live ? CacheStatus.NotFound
            : Item.Version(item) == options.Version ? CacheStatus.Ok : CacheStatus.Exists,
        WriteCondition.IfNewer => IsStale(item, options.Version) ? CacheStatus.Stale : CacheStatus.Ok,
        _ => CacheStatus.Ok,
    };

    /// <summary>
    /// Whether a replica write of <paramref name="version"/> must be refused: it is no newer than what the table
    /// holds for the key (<paramref name="item"/>, tombstones and expired items included), or than the flush floor.
    /// </summary>
    private bool IsStale(byte* item, ulong version) =>
        version <= _flushFloor || (item != null && version <= Item.Version(item));

    /// <summary>
    /// <see cref="IsStale"/> for a replica delete, except that a delete beats a live (or expired) item of its own
    /// version: the orchestrator replicates an eviction as a delete carrying the evicted item's version
    /// (docs/consistency.md, "Eviction"), which must remove that item on the other copy, and must not remove a newer
    /// write. No other write shares a version with a delete of the same key, so nothing else meets the tie; and two
    /// copies that hold the item and a tombstone of one version both end with the tombstone, whichever order the
    /// two reach them in.
    /// </summary>
    private bool IsStaleDelete(byte* item, ulong version)
    {
        if (version <= _flushFloor || item == null)
        {
            return version <= _flushFloor;
        }
        ulong held = Item.Version(item);
        return version < held || (version == held && Item.IsTombstone(Item.Meta(item)));
    }

    /// <summary>The version a write stores: the replica write's own, else the stamp or the next local one.</summary>
    private ulong NextVersion(in WriteOptions options)
    {
        if (options.Condition == WriteCondition.IfNewer)
        {
            return RaiseTo(options.Version);
        }
        return NextLocalVersion();
    }

    /// <summary>
    /// The version a write without one of its own stores: the calling thread's stamp for this engine
    /// (<see cref="VersionStamp"/>), else the shard's next. Unstamped, this costs one thread-static read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong NextLocalVersion()
    {
        ulong stamp = VersionStamp.ActiveFor(_engine);
        return stamp == 0 ? ++_lastVersion : RaiseTo(stamp);
    }

    /// <summary>
    /// Takes a version assigned elsewhere, keeping the shard's local versions above it. Out of line, so the
    /// in-place overwrite, which inlines <see cref="NextLocalVersion"/>, carries only its unstamped branch.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong RaiseTo(ulong version)
    {
        if (version > _lastVersion)
        {
            _lastVersion = version;
        }
        return version;
    }

    /// <summary>
    /// Leaves a tombstone carrying <paramref name="version"/> over whatever <paramref name="slot"/> holds, so a
    /// late replica write with an older version cannot bring the key back while replicas converge. A retention
    /// past what the header holds (TimeSpan.MaxValue: "for ever") saturates rather than wrapping to an earlier time.
    /// </summary>
    private CacheStatus StoreTombstoneLocked(ReadOnlySpan<byte> key, ulong hash, SlotRef slot, byte* existing,
        ulong version)
    {
        long expiry = Math.Min(NowRaw() + _tombstoneRetentionMs, Item.MaxRawExpiry);
        return StoreLocked(key, hash, slot, existing, [], Item.TombstoneBit, version, expiry, 0);
    }

    /// <summary>
    /// Stores an item for a key over whatever <paramref name="slot"/> holds (<paramref name="existing"/>, or
    /// nothing): in place when the size class is the same, else in a new chunk. Allocating may evict, even the
    /// existing item, so the key is looked up again afterwards.
    /// </summary>
    private CacheStatus StoreLocked(ReadOnlySpan<byte> key, ulong hash, SlotRef slot, byte* existing,
        ReadOnlySpan<byte> stored, ulong bits, ulong version, long rawExpiry, uint flags)
    {
        int cls = SizeClasses.ClassFor(Item.SizeOf(key.Length, stored.Length, flags));
        bool tombstone = (bits & Item.TombstoneBit) != 0;
        if (existing != null && _arena.Pages[SlabArena.PageOf(slot.Ref)].ClassId == cls)
        {
            CountReplaced(Item.Meta(existing), tombstone);
            Item.Write(existing, key, stored, version, rawExpiry, flags, bits);
            return CacheStatus.Ok;
        }
        uint fresh = AllocateLocked(cls);
        if (fresh == 0)
        {
            return CacheStatus.OutOfMemory;
        }
        Item.Write(_arena.Resolve(fresh), key, stored, version, rawExpiry, flags, bits);
        slot = Find(key, hash);
        if (slot.Found)
        {
            uint old = slot.Ref;
            CountReplaced(Item.Meta(_arena.Resolve(old)), tombstone);
            slot.Bucket->Refs[slot.Slot] = fresh;
            FreeChunkLocked(old);
        }
        else
        {
            if (tombstone) _tombstones++; else _items++;
            InsertLocked(hash, fresh);
        }
        return CacheStatus.Ok;
    }

    private void CountReplaced(ulong oldMeta, bool newIsTombstone)
    {
        bool oldIsTombstone = Item.IsTombstone(oldMeta);
        if (oldIsTombstone != newIsTombstone)
        {
            if (newIsTombstone) { _items--; _tombstones++; }
            else { _tombstones--; _items++; }
        }
    }

    /// <summary>Unlinks an item from the table and frees its chunk.</summary>
    private void RemoveLocked(SlotRef slot, byte* item)
    {
        if (Item.IsTombstone(Item.Meta(item))) _tombstones--; else _items--;
        uint itemRef = slot.Ref;
        slot.Bucket->Refs[slot.Slot] = 0;
        slot.Bucket->Tags[slot.Slot] = 0;
        FreeChunkLocked(itemRef);
    }

    /// <summary>Adds this shard's counters to <paramref name="stats"/>.</summary>
    public void AddStatsTo(ref EngineStats stats)
    {
        using (_lock.EnterScope())
        {
            stats.Items += _items;
            stats.Tombstones += _tombstones;
            stats.Hits += _hits;
            stats.Misses += _misses;
            stats.Evictions += _evictions;
            stats.Expirations += _expirations;
            stats.PagesMoved += _pagesMoved;
            stats.Buckets += _table.BucketCount + (_old?.BucketCount ?? 0);
            stats.OverflowBuckets += _table.OverflowCount + (_old?.OverflowCount ?? 0);
            stats.Resizing |= _old != null;
            foreach (SlabClass slabClass in _classes)
            {
                for (int i = 0; i < slabClass.PageCount; i++)
                {
                    ref PageInfo page = ref _arena.Pages[slabClass.Pages[i]];
                    stats.CarvedBytes += (long)page.Carved * page.ChunkSize;
                }
            }
        }
    }

    /// <summary>Live items (tombstones excluded; expired items not yet swept included).</summary>
    public long Count
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _items;
            }
        }
    }
}
