namespace EchoCache.Engine;

/// <summary>Settings of one <see cref="CacheEngine"/>. Checked by the engine's constructor.</summary>
public sealed class EngineOptions
{
    /// <summary>Bytes of item memory (slab pages) the engine may hold; it evicts beyond that. Default 1 GiB.</summary>
    public long MemoryLimit { get; init; } = 1L << 30;

    /// <summary>
    /// Number of independently locked shards, a power of two. 0 picks one from the memory limit
    /// (at most 16, and at least 16 pages a shard).
    /// </summary>
    public int Shards { get; init; }

    /// <summary>Values at least this long are LZ4-compressed when that saves space. 0 turns compression off.</summary>
    public int CompressionThreshold { get; init; } = 4096;

    /// <summary>
    /// How long a versioned delete leaves its tombstone, so a late, older replica write cannot bring the
    /// key back. Must outlast the longest resync. Default 5 minutes.
    /// </summary>
    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Told of every item evicted to make room, under the shard's lock (<see cref="IEvictionObserver"/> says which
    /// evictions, and what it may do). Null (the default): no call, and nothing on any path changes.
    /// </summary>
    public IEvictionObserver? EvictionObserver { get; init; }
}
