namespace EchoCache.Engine;

// Expiry changes that depend on the expiry a key has (Redis's EXPIRE family and PERSIST). Touch sets an expiry
// unconditionally; these read, compare and write under one shard lock, so a concurrent change cannot slip in
// between the comparison and the write.
public sealed partial class CacheEngine
{
    /// <summary>
    /// Sets a live item's expiry to <paramref name="expiresAtUnixMs"/> (0: no expiry) if
    /// <paramref name="condition"/> holds. A time at or before now deletes the item, as Redis's EXPIRE does
    /// with a time in the past (stamped, <see cref="StampVersions"/>, it leaves a tombstone). Answers <see cref="CacheStatus.Ok"/> when applied (or deleted),
    /// <see cref="CacheStatus.NotFound"/> when no live item holds the key, <see cref="CacheStatus.Exists"/>
    /// when the condition does not hold, and <see cref="CacheStatus.InvalidExpiry"/> for a time the item
    /// header cannot hold (negative, or past <see cref="EngineLimits.MaxExpiryUnixMs"/>).
    /// </summary>
    public CacheStatus Expire(ReadOnlySpan<byte> key, long expiresAtUnixMs, ExpiryCondition condition)
    {
        if (!KeyFits(key)) return CacheStatus.NotFound;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Expire(key, hash, expiresAtUnixMs, condition);
    }
}
