namespace EchoCache.Engine;

/// <summary>A point-in-time summary of an engine, summed over its shards.</summary>
public struct EngineStats
{
    /// <summary>Live items (expired ones not yet swept included).</summary>
    public long Items;
    /// <summary>Delete markers kept for versioned deletes.</summary>
    public long Tombstones;
    /// <summary>Reads that found an item.</summary>
    public long Hits;
    /// <summary>Reads that found none.</summary>
    public long Misses;
    /// <summary>Items evicted to make room.</summary>
    public long Evictions;
    /// <summary>Items removed because they expired.</summary>
    public long Expirations;
    /// <summary>Pages moved between size classes or shards.</summary>
    public long PagesMoved;
    /// <summary>Slab pages in use.</summary>
    public long Pages;
    /// <summary>Slab pages the memory limit allows.</summary>
    public long PageLimit;
    /// <summary>Hash table buckets (both tables during a resize).</summary>
    public long Buckets;
    /// <summary>Overflow buckets chained behind full ones.</summary>
    public long OverflowBuckets;
    /// <summary>
    /// Bytes of slab pages handed out as chunks so far: the slab memory actually written, and so resident
    /// (pages are carved on demand, so the rest of a page is never touched).
    /// </summary>
    public long CarvedBytes;
    /// <summary>Bytes held by hash tables.</summary>
    public long TableBytes;
    /// <summary>Whether any shard is part-way through a resize.</summary>
    public bool Resizing;

    /// <summary>Native bytes the engine holds: slab pages in use plus tables.</summary>
    public readonly long NativeBytes => Pages * EngineLimits.PageSize + TableBytes;
}
