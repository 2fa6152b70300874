namespace EchoCache.Engine;

// Conditional expiry changes (CacheEngine.Expire).
internal sealed unsafe partial class Shard
{
    public CacheStatus Expire(ReadOnlySpan<byte> key, ulong hash, long expiresAtUnixMs, ExpiryCondition condition)
    {
        using (_lock.EnterScope())
        {
            AdvanceResize();
            byte* item = FindLive(key, hash, out SlotRef slot);
            if (item == null)
            {
                return CacheStatus.NotFound;
            }
            long current = Item.RawExpiry(Item.Meta(item));
            // In raw (engine-epoch) units, as stored; a time before the epoch is simply long past.
            long wanted = expiresAtUnixMs == 0 ? 0 : Math.Max(1, expiresAtUnixMs - EngineLimits.ExpiryEpochUnixMs);
            if (!Holds(condition, current, wanted))
            {
                return CacheStatus.Exists;
            }
            if (expiresAtUnixMs < 0 || expiresAtUnixMs > EngineLimits.MaxExpiryUnixMs)
            {
                return CacheStatus.InvalidExpiry;
            }
            // Stamped, the change is replicated: the item takes the stamp, and a removal leaves a tombstone.
            ulong stamp = VersionStamp.ActiveFor(_engine);
            if (wanted != 0 && wanted <= NowRaw())
            {
                if (stamp != 0)
                {
                    return StoreTombstoneLocked(key, hash, slot, item, RaiseTo(stamp));
                }
                RemoveLocked(slot, item);
                return CacheStatus.Ok;
            }
            Item.SetRawExpiry(item, wanted);
            if (stamp != 0)
            {
                Item.SetVersion(item, RaiseTo(stamp));
            }
            return CacheStatus.Ok;
        }
    }

    /// <summary>Redis's EXPIRE conditions, in raw units where 0 (no expiry) is infinitely late.</summary>
    private static bool Holds(ExpiryCondition condition, long current, long wanted)
    {
        if ((condition & ExpiryCondition.IfNone) != 0 && current != 0) return false;
        if ((condition & ExpiryCondition.IfAny) != 0 && current == 0) return false;
        // GT fails on a key without expiry: nothing is later than never.
        if ((condition & ExpiryCondition.IfLater) != 0 && (current == 0 || (wanted != 0 && wanted <= current))) return false;
        // LT succeeds on a key without expiry: any time is earlier than never.
        if ((condition & ExpiryCondition.IfEarlier) != 0 && (wanted == 0 || (current != 0 && wanted >= current))) return false;
        return true;
    }
}
