using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using K4os.Compression.LZ4;

namespace EchoCache.Engine;

/// <summary>
/// The storage engine of one worker: a memory-limited, sharded, in-memory key-value store with expiry,
/// eviction, LZ4 compression of large values, versioned replica writes and snapshot iteration.
/// Thread-safe: each key's shard has its own lock, and nothing global is taken on a get or a set.
/// Results are <see cref="CacheStatus"/> values; items come back through an <see cref="IItemSink"/>.
/// </summary>
public sealed partial class CacheEngine : IDisposable
{
    private readonly SlabArena _arena;
    private readonly Shard[] _shards;
    private readonly int _shardShift;
    private readonly EngineClock _clock;
    private readonly int _compressionThreshold;
    private int _disposed;

    /// <summary>Creates an engine; <paramref name="clock"/> defaults to the wall clock.</summary>
    public CacheEngine(EngineOptions? options = null, EngineClock? clock = null)
    {
        options ??= new EngineOptions();
        int shards = options.Shards;
        if (shards == 0)
        {
            long pages = options.MemoryLimit >> EngineLimits.PageShift;
            shards = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, pages / 16)), 1, 16);
            if (shards > pages / 16) shards = Math.Max(1, shards / 2);
        }
        if (shards < 1 || shards > 256 || !BitOperations.IsPow2(shards))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(options), "Shards must be a power of two from 1 to 256 (or 0 to choose).");
        }
        if (options.CompressionThreshold < 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(options), "The compression threshold cannot be negative.");
        }
        if (options.TombstoneRetention < TimeSpan.Zero)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(options), "The tombstone retention cannot be negative.");
        }
        _clock = clock ?? EngineClock.System;
        EvictionObserver = options.EvictionObserver;
        _compressionThreshold = options.CompressionThreshold;
        _arena = new SlabArena(options.MemoryLimit);
        _shards = new Shard[shards];
        _shardShift = 64 - BitOperations.Log2((uint)shards);
        long retention = (long)options.TombstoneRetention.TotalMilliseconds;
        for (int i = 0; i < shards; i++)
        {
            _shards[i] = new Shard(this, _arena, _clock, i, retention, options.EvictionObserver);
        }
    }

    /// <summary>Releases the engine's native memory if <see cref="Dispose"/> was never called.</summary>
    ~CacheEngine() => Release();

    /// <summary>The clock the engine expires items by.</summary>
    public EngineClock Clock => _clock;

    /// <summary>Told of every item evicted to make room (<see cref="EngineOptions.EvictionObserver"/>); null for none.</summary>
    public IEvictionObserver? EvictionObserver { get; }

    /// <summary>Number of shards.</summary>
    public int ShardCount => _shards.Length;

    /// <summary>Live items over all shards.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (Shard shard in _shards) count += shard.Count;
            return count;
        }
    }

    internal Shard ShardAt(int index) => _shards[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Shard ShardFor(ulong hash) => _shards[_shards.Length == 1 ? 0 : (int)(hash >> _shardShift)];

    // Empty keys are refused too (CacheStatus.KeyTooLarge says so): one unsigned compare covers both ends.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool KeyFits(ReadOnlySpan<byte> key) => (uint)(key.Length - 1) < EngineLimits.MaxKeyLength;

    /// <summary>Reads a key: its item goes to <paramref name="sink"/> under the shard lock.</summary>
    public CacheStatus Get<TSink>(ReadOnlySpan<byte> key, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Get(key, hash, ref sink);
    }

    /// <summary>
    /// Starts loading the memory a lookup of <paramref name="key"/> reads first (its home bucket's cache line),
    /// without waiting for it or taking a lock. A caller about to run several operations (a pipelined batch)
    /// prefetches their keys first, so the cache misses of the lookups overlap instead of adding up. Harmless for
    /// any key, and for any state of the table: a prefetch never faults.
    /// </summary>
    public void Prefetch(ReadOnlySpan<byte> key)
    {
        if (!KeyFits(key)) return;
        ulong hash = KeyHash.Compute(key);
        ShardFor(hash).Prefetch(hash);
    }

    /// <summary>Whether a live item holds the key.</summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        var sink = new DiscardSink();
        return Get(key, ref sink) == CacheStatus.Ok;
    }

    /// <summary>Stores a value under the conditions of <paramref name="options"/>.</summary>
    public CacheStatus Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in WriteOptions options, out ulong version)
    {
        var none = new DiscardSink();
        return Set(key, value, options, out version, ref none);
    }

    /// <summary>
    /// Stores a value; the item it replaces, if live, goes to <paramref name="previous"/> first (GETSET, SET GET).
    /// </summary>
    public CacheStatus Set<TSink>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in WriteOptions options,
        out ulong version, ref TSink previous)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        CacheStatus status = ExpiryOf(options, out long rawExpiry);
        if (status != CacheStatus.Ok) return status;

        byte[]? rented = null;
        ReadOnlySpan<byte> stored = value;
        ulong bits = 0;
        if (options.ValueIsCompressed)
        {
            status = CheckCompressed(value);
            if (status != CacheStatus.Ok) return status;
            bits = Item.CompressedBit;
        }
        else if (value.Length > EngineLimits.MaxDecompressedLength)
        {
            // It might compress into a page, but no replica could take that compressed form back
            // (CheckCompressed refuses it), so the item could never be resynced.
            return CacheStatus.ValueTooLarge;
        }
        else if (_compressionThreshold > 0 && value.Length >= _compressionThreshold)
        {
            rented = ArrayPool<byte>.Shared.Rent(4 + LZ4Codec.MaximumOutputSize(value.Length));
            int length = LZ4Codec.Encode(value, rented.AsSpan(4), LZ4Level.L00_FAST);
            // Keep the compressed form only when it is smaller, prefix included.
            if (length > 0 && length + 4 < value.Length)
            {
                BinaryPrimitives.WriteInt32LittleEndian(rented, value.Length);
                stored = rented.AsSpan(0, length + 4);
                bits = Item.CompressedBit;
            }
        }
        try
        {
            if (Item.SizeOf(key.Length, stored.Length, options.Flags) > EngineLimits.MaxItemSize)
            {
                return CacheStatus.ValueTooLarge;
            }
            ulong hash = KeyHash.Compute(key);
            return ShardFor(hash).Set(key, hash, stored, bits, options, rawExpiry, ref previous, out version);
        }
        finally
        {
            if (rented != null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Deletes a key. With <see cref="WriteCondition.IfNewer"/> it leaves a tombstone carrying the version
    /// (and answers <see cref="CacheStatus.NotFound"/> if there was nothing live, having still recorded it); such a
    /// delete also removes an item of exactly its version (a replicated eviction, <see cref="WriteCondition.IfNewer"/>).
    /// Stamped (<see cref="StampVersions"/>), removing a live item leaves a tombstone carrying the stamp.
    /// </summary>
    public CacheStatus Delete(ReadOnlySpan<byte> key, in WriteOptions options, out ulong version)
    {
        var none = new DiscardSink();
        return Delete(key, options, out version, ref none);
    }

    /// <summary>Deletes a key; the item it removes goes to <paramref name="previous"/> first (GETDEL).</summary>
    public CacheStatus Delete<TSink>(ReadOnlySpan<byte> key, in WriteOptions options, out ulong version, ref TSink previous)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Delete(key, hash, options, ref previous, out version);
    }

    /// <summary>Deletes a key unconditionally.</summary>
    public CacheStatus Delete(ReadOnlySpan<byte> key) => Delete(key, default, out _);

    /// <summary>
    /// Adds <paramref name="delta"/> to the integer value of a key, creating it at 0 (with the options'
    /// expiry and flags) if missing and <paramref name="createIfMissing"/>. The item keeps its expiry.
    /// </summary>
    public CacheStatus Increment(ReadOnlySpan<byte> key, long delta, in WriteOptions options, bool createIfMissing,
        out long value, out ulong version)
    {
        value = 0;
        version = 0;
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        CacheStatus status = ExpiryOf(options, out long rawExpiry);
        if (status != CacheStatus.Ok) return status;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Increment(key, hash, delta, options, rawExpiry, createIfMissing, out value, out version);
    }

    /// <summary>
    /// Sets a live item's expiry to the options' (none when they set none). The item keeps its version, unless
    /// the write is a replica write or stamped (<see cref="StampVersions"/>).
    /// </summary>
    public CacheStatus Touch(ReadOnlySpan<byte> key, in WriteOptions options, out ulong version)
    {
        var none = new DiscardSink();
        return Touch(key, options, out version, ref none);
    }

    /// <summary>Sets a live item's expiry; the item, as it was, goes to <paramref name="sink"/> (GETEX).</summary>
    public CacheStatus Touch<TSink>(ReadOnlySpan<byte> key, in WriteOptions options, out ulong version, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        version = 0;
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        CacheStatus status = ExpiryOf(options, out long rawExpiry);
        if (status != CacheStatus.Ok) return status;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Touch(key, hash, options, rawExpiry, ref sink, out version);
    }

    /// <summary>Removes every item.</summary>
    public void Flush()
    {
        foreach (Shard shard in _shards) shard.Flush();
    }

    /// <summary>
    /// One bounded step of background maintenance over every shard: resizes move along and expired items
    /// and old tombstones in up to <paramref name="bucketsPerShard"/> buckets of each shard are removed.
    /// Returns how many items were removed.
    /// </summary>
    public int Maintain(int bucketsPerShard = 256)
    {
        int removed = 0;
        foreach (Shard shard in _shards) removed += shard.Sweep(bucketsPerShard);
        return removed;
    }

    /// <summary>Starts an iteration over every item, for a snapshot or a partner's resync.</summary>
    public SnapshotCursor CreateSnapshot() => new(this);

    /// <summary>A summary of the engine's contents and counters.</summary>
    public EngineStats GetStats()
    {
        var stats = new EngineStats
        {
            Pages = _arena.PagesRented,
            PageLimit = _arena.PageLimit,
            TableBytes = _arena.TableBytes,
        };
        foreach (Shard shard in _shards) shard.AddStatsTo(ref stats);
        return stats;
    }

    /// <summary>Asks the other shards, without waiting on any, for a page; true if one went back to the arena.</summary>
    internal bool StealPage(Shard needy)
    {
        for (int i = 1; i < _shards.Length; i++)
        {
            if (_shards[(needy.Index + i) & (_shards.Length - 1)].TryReleasePage())
            {
                return true;
            }
        }
        return false;
    }

    private CacheStatus ExpiryOf(in WriteOptions options, out long rawExpiry)
    {
        rawExpiry = 0;
        long at = options.ExpiresAtUnixMs;
        long ttl = options.TimeToLiveMs;
        if (at < 0 || ttl < 0 || at > EngineLimits.MaxExpiryUnixMs || ttl > EngineLimits.MaxExpiryUnixMs)
        {
            return CacheStatus.InvalidExpiry;
        }
        if (at == 0 && ttl > 0)
        {
            at = _clock.UnixMilliseconds + ttl;
            if (at > EngineLimits.MaxExpiryUnixMs) return CacheStatus.InvalidExpiry;
        }
        if (at != 0)
        {
            // A time at or before the epoch is in the past: store the earliest expiry, so it reads as expired.
            rawExpiry = Math.Max(1, at - EngineLimits.ExpiryEpochUnixMs);
        }
        return CacheStatus.Ok;
    }

    /// <summary>Checks that a value handed in compressed decodes to exactly its stated length.</summary>
    private static CacheStatus CheckCompressed(ReadOnlySpan<byte> value)
    {
        if (value.Length < 5)
        {
            return CacheStatus.CorruptValue;
        }
        int length = BinaryPrimitives.ReadInt32LittleEndian(value);
        if (length <= 0 || length > EngineLimits.MaxDecompressedLength)
        {
            return CacheStatus.CorruptValue;
        }
        byte[] scratch = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return LZ4Codec.Decode(value[4..], scratch.AsSpan(0, length)) == length
                ? CacheStatus.Ok
                : CacheStatus.CorruptValue;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Frees all native memory. The engine must not be used afterwards.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        // The finalizer may run on an engine whose constructor threw before allocating anything.
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _shards is null || _arena is null)
        {
            return;
        }
        foreach (Shard? shard in _shards)
        {
            shard?.Release();
        }
        _arena.Dispose();
    }
}
