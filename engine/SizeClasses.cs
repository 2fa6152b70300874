using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// Slab size classes: chunk sizes from <see cref="MinChunk"/> bytes growing by <see cref="Factor"/>,
/// each rounded up to 4 bytes (item references count in 4-byte units), ending with one class whose
/// chunk is a whole page. An item goes to the smallest class that holds it.
/// </summary>
internal static class SizeClasses
{
    public const int MinChunk = 24;
    public const double Factor = 1.25;

    /// <summary>Chunk size of each class, ascending; the last one is <see cref="EngineLimits.PageSize"/>.</summary>
    public static readonly int[] ChunkSizes = Build();

    // Class of every size up to SmallLimit, by (size + 3) / 4: one load instead of a search for small items.
    private const int SmallLimit = 4096;
    private static readonly byte[] SmallLookup = BuildLookup();

    public static int Count => ChunkSizes.Length;

    /// <summary>The smallest class whose chunk holds <paramref name="itemSize"/> bytes (at most a page).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ClassFor(int itemSize)
    {
        if (itemSize <= SmallLimit)
        {
            return SmallLookup[(itemSize + 3) >> 2];
        }
        int[] sizes = ChunkSizes;
        int lo = 0, hi = sizes.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (sizes[mid] >= itemSize) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    private static int[] Build()
    {
        var sizes = new List<int>();
        int size = MinChunk;
        while (size < EngineLimits.PageSize / 2)
        {
            sizes.Add(size);
            int next = (int)Math.Ceiling(size * Factor);
            size = Math.Max(size + 4, (next + 3) & ~3);
        }
        sizes.Add(EngineLimits.PageSize / 2);
        sizes.Add(EngineLimits.PageSize);
        return [.. sizes];
    }

    private static byte[] BuildLookup()
    {
        var lookup = new byte[(SmallLimit >> 2) + 1];
        int cls = 0;
        for (int units = 0; units < lookup.Length; units++)
        {
            while (ChunkSizes[cls] < units * 4) cls++;
            lookup[units] = (byte)cls;
        }
        return lookup;
    }
}
