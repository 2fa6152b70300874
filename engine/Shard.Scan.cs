namespace EchoCache.Engine;

// Walks over the whole shard: snapshot iteration, the expiry sweep, and flushing (whole, or below a version).
//
// Snapshot positions: a scan fixes the bucket count S0 of the shard's table when it first visits it, and
// visits positions 0..S0-1 in order; position i covers every key whose hash is i modulo S0. Tables only
// grow, by doubling, so those keys are always in buckets i, i+S0, i+2*S0, ... of the current table, or in an
// old table's bucket that has not migrated yet. A key present for the whole scan is therefore yielded at
// least once, however the table resizes between batches (the idea behind Redis's SCAN guarantee).
internal sealed unsafe partial class Shard
{
    private ulong _sweepCursor;

    /// <summary>
    /// Yields items for up to <paramref name="maxPositions"/> scan positions, starting at
    /// <paramref name="position"/> and advancing it. Returns how many items were yielded.
    /// Tombstones are yielded (so a resync carries deletes); expired items are not.
    /// </summary>
    public int Scan<TSink>(ref int position, ref int baseSize, int maxPositions, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        using (_lock.EnterScope())
        {
            if (baseSize == 0)
            {
                baseSize = _table.BucketCount;
            }
            long now = NowRaw();
            int yielded = 0;
            for (int visited = 0; visited < maxPositions && position < baseSize; visited++, position++)
            {
                yielded += VisitPosition(_table, position, baseSize, now, ref sink);
                if (_old != null)
                {
                    yielded += VisitPosition(_old, position, baseSize, now, ref sink);
                }
            }
            return yielded;
        }
    }

    private int VisitPosition<TSink>(BucketTable table, int position, int baseSize, long now, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        int yielded = 0;
        if (table.BucketCount >= baseSize)
        {
            for (int index = position; index < table.BucketCount; index += baseSize)
            {
                yielded += VisitChain(table, table.Buckets + index, position, 0, now, ref sink);
            }
        }
        else
        {
            // A smaller (old) table: its bucket also holds keys of other positions; yield only ours.
            Bucket* home = table.Buckets + ((ulong)position & table.Mask);
            if ((home->Control & Bucket.MigratedBit) == 0)
            {
                yielded += VisitChain(table, home, position, (ulong)baseSize - 1, now, ref sink);
            }
        }
        return yielded;
    }

    private int VisitChain<TSink>(BucketTable table, Bucket* bucket, int position, ulong filterMask, long now,
        ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        int yielded = 0;
        for (; bucket != null; bucket = table.Next(bucket))
        {
            for (int slot = 0; slot < Bucket.Slots; slot++)
            {
                uint itemRef = bucket->Refs[slot];
                if (itemRef == 0)
                {
                    continue;
                }
                byte* item = _arena.Resolve(itemRef);
                ulong meta = Item.Meta(item);
                if (Item.IsExpired(meta, now))
                {
                    continue;
                }
                if (filterMask != 0 && (KeyHash.Compute(Item.Key(item, meta)) & filterMask) != (ulong)position)
                {
                    continue;
                }
                sink.Accept(Item.View(item));
                yielded++;
            }
        }
        return yielded;
    }

    /// <summary>
    /// One bounded step of background maintenance: moves a resize along and removes expired items and
    /// tombstones from up to <paramref name="maxBuckets"/> buckets. Returns how many items it removed.
    /// </summary>
    public int Sweep(int maxBuckets)
    {
        using (_lock.EnterScope())
        {
            if (_old != null)
            {
                MigrateSome(maxBuckets);
            }
            long now = NowRaw();
            int removed = 0;
            for (int i = 0; i < maxBuckets; i++)
            {
                Bucket* bucket = _table.Buckets + (_sweepCursor++ & _table.Mask);
                for (; bucket != null; bucket = _table.Next(bucket))
                {
                    for (int slot = 0; slot < Bucket.Slots; slot++)
                    {
                        uint itemRef = bucket->Refs[slot];
                        if (itemRef == 0)
                        {
                            continue;
                        }
                        byte* item = _arena.Resolve(itemRef);
                        if (Item.IsExpired(Item.Meta(item), now))
                        {
                            RemoveLocked(new SlotRef(bucket, slot), item);
                            _expirations++;
                            removed++;
                        }
                    }
                }
            }
            return removed;
        }
    }

    /// <summary>Drops every item and gives every page back to the arena.</summary>
    public void Flush()
    {
        using (_lock.EnterScope())
        {
            ReleaseAllLocked();
            _table = new BucketTable(_arena, InitialBuckets);
        }
    }

    /// <summary>
    /// Drops every item and tombstone whose version is at or below <paramref name="floor"/>, keeps newer ones, and
    /// from now on refuses replica writes at or below it. Holds the lock for the whole walk, as a flush is rare.
    /// </summary>
    public void FlushBelow(ulong floor)
    {
        using (_lock.EnterScope())
        {
            if (floor > _flushFloor)
            {
                _flushFloor = floor;
            }
            // Every version the shard ever stored is at most its last one: then all of them go, pages included.
            if (_lastVersion <= floor)
            {
                ReleaseAllLocked();
                _table = new BucketTable(_arena, InitialBuckets);
                // Local writes after the flush take versions above it, so the same flush again spares them.
                _lastVersion = floor;
                return;
            }
            if (_old != null)
            {
                MigrateSome(int.MaxValue); // finishes the resize: one table left to walk
            }
            for (int i = 0; i < _table.BucketCount; i++)
            {
                for (Bucket* bucket = _table.Buckets + i; bucket != null; bucket = _table.Next(bucket))
                {
                    for (int slot = 0; slot < Bucket.Slots; slot++)
                    {
                        uint itemRef = bucket->Refs[slot];
                        if (itemRef == 0)
                        {
                            continue;
                        }
                        byte* item = _arena.Resolve(itemRef);
                        if (Item.Version(item) <= floor)
                        {
                            RemoveLocked(new SlotRef(bucket, slot), item);
                        }
                    }
                }
            }
        }
    }

    private void ReleaseAllLocked()
    {
        _old?.Free();
        _old = null;
        _table.Free();
        foreach (SlabClass slabClass in _classes)
        {
            for (int i = 0; i < slabClass.PageCount; i++)
            {
                int page = slabClass.Pages[i];
                _arena.Pages[page] = new PageInfo { ClassId = -1, FreeHead = -1 };
                _arena.ReturnPage(page);
            }
            slabClass.PageCount = 0;
            slabClass.SpaceCount = 0;
            slabClass.HandPage = 0;
            slabClass.HandChunk = 0;
        }
        _pagesOwned = 0;
        _items = 0;
        _tombstones = 0;
    }

    /// <summary>Frees the shard's tables (the engine frees the arena after).</summary>
    public void Release()
    {
        using (_lock.EnterScope())
        {
            _old?.Free();
            _old = null;
            _table.Free();
        }
    }
}
