namespace EchoCache.Engine;

// Slab memory: chunks from pages, pages from the arena, and what happens when the arena is full.
//
// A full shard makes room for a chunk of class C in one of three ways, in this order of preference:
//  1. move a whole page to C from the class whose items live longest relative to its demand (age balancing:
//     a class nobody writes to any more gives its pages up, so memory follows the workload's value sizes);
//  2. evict one item of C, chosen by CLOCK (an item read since the hand last passed gets a second chance);
//  3. when the shard holds no page at all, ask another shard to give one back to the arena.
// The limit covers the hash tables too: when they have grown past what the pages left (SlabArena.OverBudget),
// the next shard to allocate first gives pages of its own back to the arena, and their memory to the OS.
internal sealed unsafe partial class Shard
{
    // After this many evictions a class asks again whether another class should give it a page.
    private const int BalanceEveryEvictions = 64;
    // A class gives up a page when its items live this many times longer than the needy class's.
    private const double AgeRatioToMovePage = 2.0;
    // The CLOCK hand clears at most this many reference bits before it evicts regardless.
    private const int MaxClockSweep = 4096;

    private readonly SlabClass[] _classes;
    private int _pagesOwned;
    private double _allocatedSinceDecay;

    /// <summary>A chunk of class <paramref name="cls"/>, or 0 when nothing could be freed.</summary>
    private uint AllocateLocked(int cls)
    {
        if (_arena.OverBudget)
        {
            PayForTablesLocked();
        }
        SlabClass slabClass = _classes[cls];
        NoteDemand(slabClass);
        for (int attempt = 0; attempt < 16; attempt++)
        {
            if (slabClass.SpaceCount > 0)
            {
                return TakeChunk(slabClass);
            }
            int page = _arena.TryRentPage();
            if (page > 0)
            {
                AttachPage(page, cls);
                continue;
            }
            if (!ReclaimFor(cls))
            {
                break;
            }
        }
        return 0;
    }

    private void NoteDemand(SlabClass slabClass)
    {
        slabClass.Demand += slabClass.ChunkSize;
        _allocatedSinceDecay += slabClass.ChunkSize;
        // Halve every class's demand each time the shard has allocated as much as it holds.
        if (_allocatedSinceDecay > Math.Max(_pagesOwned, 4) * (double)EngineLimits.PageSize)
        {
            _allocatedSinceDecay = 0;
            foreach (SlabClass c in _classes)
            {
                c.Demand *= 0.5;
            }
        }
    }

    private bool ReclaimFor(int cls)
    {
        SlabClass needy = _classes[cls];
        if (needy.PageCount == 0 || ++needy.EvictionsSinceBalance >= BalanceEveryEvictions)
        {
            needy.EvictionsSinceBalance = 0;
            int donor = PickDonor(cls);
            if (donor >= 0)
            {
                AttachPage(DetachPage(donor), cls);
                _pagesMoved++;
                return true;
            }
        }
        if (needy.PageCount > 0)
        {
            return EvictOne(needy);
        }
        return _engine.StealPage(this);
    }

    /// <summary>The class that should give a page to <paramref name="cls"/>, or -1 for none.</summary>
    private int PickDonor(int cls)
    {
        // A class never gives up its last page to rebalance: with none left, its next write would take a page
        // straight back, and pages would ping-pong between classes, each move evicting a whole page of items
        // (memcached's automove keeps a minimum per source class for the same reason). Only a class with no
        // page at all may take another's last one, when nothing else is left.
        int donor = -1, lastPageDonor = -1;
        double oldest = 0, oldestLastPage = 0;
        for (int i = 0; i < _classes.Length; i++)
        {
            SlabClass c = _classes[i];
            if (i == cls || c.PageCount == 0)
            {
                continue;
            }
            if (c.PageCount > 1 && c.Age > oldest)
            {
                oldest = c.Age;
                donor = i;
            }
            else if (c.PageCount == 1 && c.Age > oldestLastPage)
            {
                oldestLastPage = c.Age;
                lastPageDonor = i;
            }
        }
        SlabClass needy = _classes[cls];
        if (needy.PageCount == 0)
        {
            return donor >= 0 ? donor : lastPageDonor;
        }
        return donor >= 0 && oldest > AgeRatioToMovePage * needy.Age ? donor : -1;
    }

    private uint TakeChunk(SlabClass slabClass)
    {
        int page = slabClass.Space[slabClass.SpaceCount - 1];
        ref PageInfo info = ref _arena.Pages[page];
        int chunk;
        if (info.FreeHead >= 0)
        {
            chunk = info.FreeHead;
            info.FreeHead = Item.NextFree(_arena.PageAddress(page) + chunk * info.ChunkSize);
        }
        else
        {
            chunk = info.Carved++;
        }
        info.Live++;
        if (info.FreeHead < 0 && info.Carved == info.ChunkCount)
        {
            slabClass.SpaceCount--;
            info.HasSpace = false;
        }
        return SlabArena.RefOf(page, chunk * info.ChunkSize);
    }

    private void FreeChunkLocked(uint itemRef)
    {
        int page = SlabArena.PageOf(itemRef);
        ref PageInfo info = ref _arena.Pages[page];
        int offset = SlabArena.OffsetOf(itemRef);
        Item.MarkFree(_arena.PageAddress(page) + offset, info.FreeHead);
        info.FreeHead = offset / info.ChunkSize;
        info.Live--;
        if (!info.HasSpace)
        {
            info.HasSpace = true;
            _classes[info.ClassId].PushSpace(page);
        }
    }

    private void AttachPage(int page, int cls)
    {
        SlabClass slabClass = _classes[cls];
        _arena.Pages[page] = new PageInfo
        {
            ClassId = cls,
            ChunkSize = slabClass.ChunkSize,
            ChunkCount = EngineLimits.PageSize / slabClass.ChunkSize,
            Carved = 0,
            FreeHead = -1,
            Live = 0,
            ClassSlot = slabClass.PageCount,
            HasSpace = true,
        };
        slabClass.AddPage(page);
        slabClass.PushSpace(page);
        _pagesOwned++;
    }

    /// <summary>Takes the page the CLOCK hand reaches next away from a class, evicting every item on it.</summary>
    private int DetachPage(int cls)
    {
        SlabClass slabClass = _classes[cls];
        if (slabClass.HandPage >= slabClass.PageCount)
        {
            slabClass.HandPage = 0;
            slabClass.HandChunk = 0;
        }
        int hand = slabClass.HandPage;
        // Not the page under the hand once the hand is part-way through it: the chunks just behind the hand
        // hold the class's newest items (evicting frees a chunk and the class's next write takes it). The page
        // ahead holds only items the hand is about to judge.
        int position = slabClass.HandChunk > 0 && slabClass.PageCount > 1 ? (hand + 1) % slabClass.PageCount : hand;
        int page = slabClass.Pages[position];
        ref PageInfo info = ref _arena.Pages[page];
        byte* start = _arena.PageAddress(page);
        for (int chunk = 0; chunk < info.Carved; chunk++)
        {
            byte* item = start + chunk * info.ChunkSize;
            if (Item.IsLive(Item.Meta(item)))
            {
                EvictLocked(item, SlabArena.RefOf(page, chunk * info.ChunkSize));
            }
        }
        if (info.HasSpace)
        {
            slabClass.RemoveSpace(page);
        }
        int last = slabClass.Pages[--slabClass.PageCount];
        slabClass.Pages[position] = last;
        _arena.Pages[last].ClassSlot = position;
        if (position == hand)
        {
            // The hand's own page went: the hand starts on the page that took its place.
            slabClass.HandChunk = 0;
            if (hand >= slabClass.PageCount) slabClass.HandPage = 0;
        }
        else if (hand == slabClass.PageCount)
        {
            // The hand's page was the last one and moved into the gap: the hand follows it.
            slabClass.HandPage = position;
        }
        _arena.Pages[page] = new PageInfo { ClassId = -1, FreeHead = -1 };
        _pagesOwned--;
        return page;
    }

    /// <summary>Evicts one item of a class by CLOCK; false if the class holds no item.</summary>
    private bool EvictOne(SlabClass slabClass)
    {
        int cleared = 0;
        long visits = 0;
        long limit = 2L * slabClass.PageCount * (EngineLimits.PageSize / slabClass.ChunkSize) + MaxClockSweep;
        while (visits++ < limit)
        {
            if (slabClass.HandPage >= slabClass.PageCount)
            {
                slabClass.HandPage = 0;
                slabClass.HandChunk = 0;
            }
            int page = slabClass.Pages[slabClass.HandPage];
            ref PageInfo info = ref _arena.Pages[page];
            if (slabClass.HandChunk >= info.Carved)
            {
                slabClass.HandPage++;
                slabClass.HandChunk = 0;
                continue;
            }
            int offset = slabClass.HandChunk++ * info.ChunkSize;
            byte* item = _arena.PageAddress(page) + offset;
            ulong meta = Item.Meta(item);
            if (!Item.IsLive(meta))
            {
                continue;
            }
            if ((meta & Item.ReferencedBit) != 0 && cleared < MaxClockSweep)
            {
                Item.ClearReferenced(item);
                cleared++;
                continue;
            }
            EvictLocked(item, SlabArena.RefOf(page, offset));
            return true;
        }
        return false;
    }

    private void EvictLocked(byte* item, uint itemRef)
    {
        ulong meta = Item.Meta(item);
        SlotRef slot = FindRef(itemRef, KeyHash.Compute(Item.Key(item, meta)));
        if (slot.Found)
        {
            if (_evictionObserver != null && !Item.IsTombstone(meta))
            {
                // Told before the chunk is freed (the key lives in it), under this shard's lock: a read of the key
                // after this eviction takes the lock after the observer has recorded it.
                _evictionObserver.OnEvicted(Item.Key(item, meta), Item.Version(item));
            }
            RemoveLocked(slot, item);
        }
        else
        {
            // Unreachable while the table and the slabs agree; free the chunk rather than leak it.
            FreeChunkLocked(itemRef);
        }
        _evictions++;
    }

    /// <summary>
    /// Gives one page of this shard back to the arena, its memory to the OS, while the tables and the pages rented
    /// together pass the limit: one page per allocation, and only when the eviction observer can take the page's
    /// items at once (up to 43,690 of the smallest), so that a large resize is paid in steps the eviction notices keep
    /// up with rather than all at once. Until it is paid, pages are not rented (<see cref="SlabArena.TryRentPage"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void PayForTablesLocked()
    {
        if (_evictionObserver == null || _evictionObserver.HasRoomFor(EngineLimits.PageSize / SizeClasses.MinChunk))
        {
            ReleasePageLocked();
        }
    }

    /// <summary>
    /// Gives one page back to the arena, from the class whose items live longest: for a shard that has none (called
    /// with this shard's lock taken by <see cref="TryReleasePage"/>), or to pay for the tables. Returns false when
    /// this shard has no page.
    /// </summary>
    private bool ReleasePageLocked()
    {
        int donor = -1;
        double oldest = -1;
        for (int i = 0; i < _classes.Length; i++)
        {
            SlabClass c = _classes[i];
            if (c.PageCount > 0 && c.Age > oldest)
            {
                oldest = c.Age;
                donor = i;
            }
        }
        if (donor < 0)
        {
            return false;
        }
        _arena.ReturnPage(DetachPage(donor));
        _pagesMoved++;
        return true;
    }

    /// <summary>Gives a page back to the arena if this shard's lock is free right now and it has a page.</summary>
    public bool TryReleasePage()
    {
        if (!_lock.TryEnter())
        {
            return false;
        }
        try
        {
            return ReleasePageLocked();
        }
        finally
        {
            _lock.Exit();
        }
    }
}
