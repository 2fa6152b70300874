using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EchoCache.Engine;

// The hash table: lookup, insert, and the incremental resize.
//
// A resize doubles the bucket count. The old table stays readable while its buckets move over, a few at a
// time: every write moves MigrateStepBuckets of them, the maintenance sweep moves more, and any operation on
// a key first moves that key's old bucket. So no operation pays for more than a handful of buckets, and a
// key is always in exactly one place: its old bucket until that bucket is marked migrated, the new table after.
internal sealed unsafe partial class Shard
{
    private const int InitialBuckets = 64;
    private const int MigrateStepBuckets = 4;
    // Resize when entries exceed 9 per bucket: 75% of the 12 slots.
    private const int MaxEntriesPerBucket = 9;

    private BucketTable _table;
    private BucketTable? _old;
    private int _migrateCursor;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Tag(ulong hash) => (byte)(hash >> 40);

    /// <summary>
    /// Starts loading a hash's home bucket. No lock: the table read may be one a resize is replacing, and its
    /// memory may even be freed meanwhile; a prefetch of any address is only a hint, and never faults.
    /// </summary>
    public void Prefetch(ulong hash)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Volatile.Read(ref _table).Home(hash));
        }
    }

    /// <summary>Finds a key's slot, comparing the 12 tags of a bucket at once before touching any item.</summary>
    private SlotRef Find(ReadOnlySpan<byte> key, ulong hash)
    {
        MigrateFor(hash);
        Bucket* bucket = _table.Home(hash);
        Vector128<byte> tag = Vector128.Create(Tag(hash));
        do
        {
            uint matches = Vector128.Equals(Vector128.Load((byte*)bucket + Bucket.TagsOffset), tag)
                .ExtractMostSignificantBits() & ((1u << Bucket.Slots) - 1);
            while (matches != 0)
            {
                int slot = BitOperations.TrailingZeroCount(matches);
                uint itemRef = bucket->Refs[slot];
                if (itemRef != 0)
                {
                    byte* item = _arena.Resolve(itemRef);
                    ulong meta = Item.Meta(item);
                    if (Item.KeyLength(meta) == key.Length && Item.Key(item, meta).SequenceEqual(key))
                    {
                        return new SlotRef(bucket, slot);
                    }
                }
                matches &= matches - 1;
            }
            bucket = _table.Next(bucket);
        }
        while (bucket != null);
        return default;
    }

    /// <summary>Finds the slot holding exactly this item reference (eviction knows the item, not a live key).</summary>
    private SlotRef FindRef(uint itemRef, ulong hash)
    {
        MigrateFor(hash);
        Bucket* bucket = _table.Home(hash);
        do
        {
            for (int slot = 0; slot < Bucket.Slots; slot++)
            {
                if (bucket->Refs[slot] == itemRef)
                {
                    return new SlotRef(bucket, slot);
                }
            }
            bucket = _table.Next(bucket);
        }
        while (bucket != null);
        return default;
    }

    private void InsertLocked(ulong hash, uint itemRef)
    {
        Place(_table, hash, itemRef);
        if (_old == null && _items + _tombstones > (long)_table.BucketCount * MaxEntriesPerBucket)
        {
            _old = _table;
            _table = new BucketTable(_arena, _old.BucketCount * 2);
            _migrateCursor = 0;
        }
    }

    /// <summary>Puts a reference in the first empty slot of its chain, growing the chain if it is full.</summary>
    private static void Place(BucketTable table, ulong hash, uint itemRef)
    {
        Bucket* bucket = table.Home(hash);
        while (true)
        {
            for (int slot = 0; slot < Bucket.Slots; slot++)
            {
                if (bucket->Refs[slot] == 0)
                {
                    bucket->Refs[slot] = itemRef;
                    bucket->Tags[slot] = Tag(hash);
                    return;
                }
            }
            Bucket* next = table.Next(bucket);
            if (next == null)
            {
                next = table.Grow(bucket);
                next->Refs[0] = itemRef;
                next->Tags[0] = Tag(hash);
                return;
            }
            bucket = next;
        }
    }

    /// <summary>Before touching a key during a resize, moves its old bucket over if it has not moved yet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MigrateFor(ulong hash)
    {
        if (_old != null)
        {
            Bucket* home = _old.Home(hash);
            if ((home->Control & Bucket.MigratedBit) == 0)
            {
                MigrateBucket(home);
            }
        }
    }

    /// <summary>One bounded step of a resize in progress.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AdvanceResize()
    {
        if (_old != null)
        {
            MigrateSome(MigrateStepBuckets);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MigrateSome(int buckets)
    {
        BucketTable old = _old!;
        while (buckets > 0 && _migrateCursor < old.BucketCount)
        {
            Bucket* bucket = old.Buckets + _migrateCursor++;
            if ((bucket->Control & Bucket.MigratedBit) == 0)
            {
                MigrateBucket(bucket);
                buckets--;
            }
        }
        if (_migrateCursor == old.BucketCount)
        {
            old.Free();
            _old = null;
        }
    }

    private void MigrateBucket(Bucket* home)
    {
        BucketTable old = _old!;
        for (Bucket* bucket = home; bucket != null; bucket = old.Next(bucket))
        {
            for (int slot = 0; slot < Bucket.Slots; slot++)
            {
                uint itemRef = bucket->Refs[slot];
                if (itemRef != 0)
                {
                    byte* item = _arena.Resolve(itemRef);
                    Place(_table, KeyHash.Compute(Item.Key(item, Item.Meta(item))), itemRef);
                    bucket->Refs[slot] = 0;
                }
            }
        }
        home->Control |= Bucket.MigratedBit;
    }
}
