using System.Buffers;

namespace EchoCache.Engine;

// Operations beyond get and set: read-modify-write, and the pieces multi-key commands are built from.
internal sealed unsafe partial class Shard
{
    /// <summary>The shard's lock, for multi-key operations that must hold several at once (lowest index first).</summary>
    public ShardLock Gate => _lock;

    public CacheStatus Update<TUpdater>(ReadOnlySpan<byte> key, ulong hash, ref TUpdater updater, in WriteOptions options,
        long rawExpiryIfCreated, int compressionThreshold, out ulong version)
        where TUpdater : IValueUpdater, allows ref struct
    {
        version = 0;
        using (_lock.EnterScope())
        {
            AdvanceResize();
            byte* item = FindForWrite(key, hash, options.Condition, out SlotRef slot, out bool live);
            CacheStatus status = CheckCondition(item, live, options);
            if (status != CacheStatus.Ok)
            {
                return status;
            }
            ItemView current = live ? Item.View(item) : default;
            int max = updater.MaxLength(live, current);
            if (max < 0 || max > EngineLimits.MaxDecompressedLength)
            {
                return CacheStatus.ValueTooLarge;
            }
            // The new value is built beside the old one: the old item stays intact until the store.
            byte[] scratch = ArrayPool<byte>.Shared.Rent(Math.Max(max, 1));
            byte[]? packed = null;
            try
            {
                status = updater.Update(live, current, scratch.AsSpan(0, max), out int length);
                if (status != CacheStatus.Ok)
                {
                    return status;
                }
                ReadOnlySpan<byte> stored = scratch.AsSpan(0, length);
                ulong bits = 0;
                if (compressionThreshold > 0 && length >= compressionThreshold)
                {
                    packed = ArrayPool<byte>.Shared.Rent(ValueCompression.MaxCompressedLength(length));
                    int packedLength = ValueCompression.TryCompress(stored, packed);
                    if (packedLength > 0)
                    {
                        stored = packed.AsSpan(0, packedLength);
                        bits = Item.CompressedBit;
                    }
                }
                uint flags = options.Flags;
                long rawExpiry = rawExpiryIfCreated;
                if (live)
                {
                    ulong meta = Item.Meta(item);
                    flags = Item.Flags(item, meta);
                    rawExpiry = Item.RawExpiry(meta);
                }
                if (Item.SizeOf(key.Length, stored.Length, flags) > EngineLimits.MaxItemSize)
                {
                    return CacheStatus.ValueTooLarge;
                }
                version = NextVersion(options);
                return StoreLocked(key, hash, slot, item, stored, bits, version, rawExpiry, flags);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
                if (packed != null) ArrayPool<byte>.Shared.Return(packed);
            }
        }
    }

    /// <summary>Hands a live item near a random position to <paramref name="sink"/>; false if the shard is empty.</summary>
    public bool TryRandom<TSink>(ulong seed, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        using (_lock.EnterScope())
        {
            if (_items == 0)
            {
                return false;
            }
            long now = NowRaw();
            // During a resize some items are still in the old table (its moved buckets are empty).
            return TryRandomIn(_table, seed, now, ref sink) || (_old != null && TryRandomIn(_old, seed, now, ref sink));
        }
    }

    private bool TryRandomIn<TSink>(BucketTable table, ulong seed, long now, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        for (int step = 0; step < table.BucketCount; step++)
        {
            Bucket* home = table.Buckets + ((seed + (ulong)step) & table.Mask);
            for (Bucket* bucket = home; bucket != null; bucket = table.Next(bucket))
            {
                for (int slot = 0; slot < Bucket.Slots; slot++)
                {
                    uint itemRef = bucket->Refs[slot];
                    if (itemRef == 0) continue;
                    byte* item = _arena.Resolve(itemRef);
                    ulong meta = Item.Meta(item);
                    if (!Item.IsTombstone(meta) && !Item.IsExpired(meta, now))
                    {
                        sink.Accept(Item.View(item));
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
