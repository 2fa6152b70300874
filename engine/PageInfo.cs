namespace EchoCache.Engine;

/// <summary>
/// Bookkeeping of one slab page, kept beside the arena rather than inside the page so a page is all chunks.
/// Guarded by the lock of the shard that owns the page; a page in the arena's pool has no owner.
/// </summary>
internal struct PageInfo
{
    /// <summary>Size class of the chunks, or -1 while the page is in the pool.</summary>
    public int ClassId;
    public int ChunkSize;
    public int ChunkCount;
    /// <summary>Chunks handed out at least once: pages are carved on demand, so untouched memory is never resident.</summary>
    public int Carved;
    /// <summary>Index of the first free chunk (a list threaded through the chunks), or -1.</summary>
    public int FreeHead;
    /// <summary>Chunks that hold an item.</summary>
    public int Live;
    /// <summary>Position of the page in its class's page list.</summary>
    public int ClassSlot;
    /// <summary>Whether the page is in its class's list of pages with a free or uncarved chunk.</summary>
    public bool HasSpace;
}
