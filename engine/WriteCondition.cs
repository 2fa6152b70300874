namespace EchoCache.Engine;

/// <summary>When a write applies.</summary>
public enum WriteCondition : byte
{
    /// <summary>Always (set).</summary>
    Always = 0,
    /// <summary>Only if no live item holds the key (add, SET NX).</summary>
    IfAbsent,
    /// <summary>Only if a live item holds the key (replace, SET XX).</summary>
    IfPresent,
    /// <summary>Only if the live item's version equals <see cref="WriteOptions.Version"/> (compare-and-set).</summary>
    IfVersionMatches,
    /// <summary>
    /// A replica write: applies only if <see cref="WriteOptions.Version"/> is newer than the version held,
    /// tombstones included, and than <see cref="CacheEngine.FlushFloor"/>, and stores that version. Otherwise the
    /// answer is <see cref="CacheStatus.Stale"/>. A replica delete also applies to an item (not a tombstone) of
    /// exactly its version: that is how a replicated eviction removes the evicted version and nothing newer.
    /// </summary>
    IfNewer,
}
