namespace EchoCache.Engine;

/// <summary>
/// One size class within one shard: its pages, the pages with room, the CLOCK hand, and the decayed demand
/// that decides which class gives up a page when memory is full. Guarded by the shard lock.
/// </summary>
internal sealed class SlabClass(int chunkSize)
{
    public int ChunkSize { get; } = chunkSize;

    /// <summary>Pages of this class; the CLOCK hand walks them in order.</summary>
    public int[] Pages = new int[4];
    public int PageCount;

    /// <summary>Stack of pages with a free or uncarved chunk; the top one is filled first.</summary>
    public int[] Space = new int[4];
    public int SpaceCount;

    /// <summary>CLOCK hand: a position in <see cref="Pages"/> and a chunk within that page.</summary>
    public int HandPage;
    public int HandChunk;

    /// <summary>Bytes allocated recently (halved every turnover of the shard's memory).</summary>
    public double Demand;

    /// <summary>Evictions since the class last asked whether another class should give it a page.</summary>
    public int EvictionsSinceBalance;

    /// <summary>
    /// How long, relative to the others, this class keeps an item: pages held over recent demand.
    /// Moving pages from old classes to young ones equalises item lifetimes across sizes (memcached's
    /// age balancing), which is what stops slab calcification when value sizes shift.
    /// </summary>
    public double Age => PageCount / (Demand + 1.0);

    public void AddPage(int page)
    {
        if (PageCount == Pages.Length) Array.Resize(ref Pages, Pages.Length * 2);
        Pages[PageCount++] = page;
    }

    public void PushSpace(int page)
    {
        if (SpaceCount == Space.Length) Array.Resize(ref Space, Space.Length * 2);
        Space[SpaceCount++] = page;
    }

    public void RemoveSpace(int page)
    {
        for (int i = SpaceCount - 1; i >= 0; i--)
        {
            if (Space[i] == page)
            {
                Space[i] = Space[--SpaceCount];
                return;
            }
        }
    }
}
