using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EchoCache.Engine;

/// <summary>
/// Owns all of the engine's native memory: one reserved range of 1 MiB slab pages (touched only as chunks
/// are carved, so the OS commits what is used) and the hash tables' buckets. Pages are rented by shards
/// from a shared pool and returned when a shard gives one up. The memory limit covers both: pages are rented
/// only while the pages rented and the whole pages' worth of tables stay within it, and when tables grow past
/// what is left (a resize allocates the doubled table first), the shards give pages back (<see cref="OverBudget"/>),
/// their memory returned to the OS. So the engine's resident memory stays within the limit plus less than one page
/// of tables, whatever the number of items (docs/operations.md, "--memory").
/// Item references are 32-bit offsets from the arena base in 4-byte units; page 0 is never handed out,
/// so reference 0 means "none".
/// </summary>
internal sealed unsafe class SlabArena : IDisposable
{
    /// <summary>Item references count 4-byte units; a page spans 2^18 of them.</summary>
    public const int RefPageShift = EngineLimits.PageShift - 2;
    public const uint RefOffsetMask = (1u << RefPageShift) - 1;

    // The arena's base is aligned to this (the OS page on Linux and Windows; a multiple of the 64 bytes buckets need).
    private const int OsPageSize = 4096;

    private readonly byte* _raw;
    private readonly byte* _base;
    private readonly int _pageCount;
    private readonly Lock _poolLock = new();
    private readonly int[] _returned;
    private int _returnedCount;
    private int _nextFresh = 1;
    private int _pagesRented;
    private long _tableBytes;
    private bool _disposed;

    public SlabArena(long memoryLimit)
    {
        if (memoryLimit < EngineLimits.MinMemoryLimit || memoryLimit > EngineLimits.MaxMemoryLimit)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(memoryLimit),
                $"The memory limit must be between {EngineLimits.MinMemoryLimit} and {EngineLimits.MaxMemoryLimit} bytes.");
        }
        NativeHeap.Configure();
        _pageCount = (int)(memoryLimit >> EngineLimits.PageShift) + 1;
        // Reserved, not touched: the kernel maps a page of it only when a chunk there is first written. Aligned to
        // the OS page (4 KiB), so a slab page given back can be discarded whole.
        _raw = (byte*)NativeMemory.Alloc((nuint)_pageCount * EngineLimits.PageSize + OsPageSize);
        _base = (byte*)(((nuint)_raw + OsPageSize - 1) & ~(nuint)(OsPageSize - 1));
        _returned = new int[_pageCount];
        Pages = new PageInfo[_pageCount];
        for (int i = 0; i < Pages.Length; i++)
        {
            Pages[i].ClassId = -1;
        }
    }

    /// <summary>Bookkeeping of every page, indexed by page number; each entry is guarded by its owner's lock.</summary>
    public PageInfo[] Pages { get; }

    /// <summary>Pages the memory limit allows (page 0 excluded).</summary>
    public int PageLimit => _pageCount - 1;

    /// <summary>Pages currently owned by shards.</summary>
    public int PagesRented => Volatile.Read(ref _pagesRented);

    /// <summary>Bytes held by hash tables.</summary>
    public long TableBytes => Interlocked.Read(ref _tableBytes);

    /// <summary>The whole pages' worth of hash tables, which the limit takes from the pages shards may rent.</summary>
    private int TablePages => (int)(Volatile.Read(ref _tableBytes) >> EngineLimits.PageShift);

    /// <summary>
    /// Whether the pages rented and the tables' whole pages pass the limit: the tables grew since the pages were
    /// rented, and shards should give pages back (<see cref="ReturnPage"/>) until it is false.
    /// </summary>
    public bool OverBudget => Volatile.Read(ref _pagesRented) + TablePages > PageLimit;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Resolve(uint itemRef) => _base + ((nuint)itemRef << 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* PageAddress(int page) => _base + ((nuint)(uint)page << EngineLimits.PageShift);

    /// <summary>The bytes of page <paramref name="page"/> (for checks that have no pointers).</summary>
    public Span<byte> PageBytes(int page) => new(PageAddress(page), EngineLimits.PageSize);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RefOf(int page, int byteOffset) => ((uint)page << RefPageShift) | (uint)(byteOffset >> 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PageOf(uint itemRef) => (int)(itemRef >> RefPageShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OffsetOf(uint itemRef) => (int)(itemRef & RefOffsetMask) << 2;

    /// <summary>Takes a page from the pool; -1 when the memory limit (pages and tables together) is reached.</summary>
    public int TryRentPage()
    {
        using (_poolLock.EnterScope())
        {
            int page;
            if (_pagesRented + TablePages >= PageLimit)
            {
                return -1;
            }
            if (_returnedCount > 0)
            {
                page = _returned[--_returnedCount];
            }
            else if (_nextFresh < _pageCount)
            {
                page = _nextFresh++;
            }
            else
            {
                return -1;
            }
            _pagesRented++;
            return page;
        }
    }

    /// <summary>
    /// Gives a page back to the pool. The caller has already cleared its bookkeeping. A page the limit will not let
    /// anyone rent (it was given up so that the tables fit) goes back to the OS first: it reads as zeros, and is
    /// resident again only once written.
    /// </summary>
    public void ReturnPage(int page)
    {
        if (Volatile.Read(ref _pagesRented) - 1 + TablePages >= PageLimit)
        {
            NativeHeap.Discard(PageAddress(page), EngineLimits.PageSize);
        }
        using (_poolLock.EnterScope())
        {
            _returned[_returnedCount++] = page;
            _pagesRented--;
        }
    }

    /// <summary>Allocates zeroed, 64-byte aligned memory for buckets.</summary>
    public NativeBlock AllocateZeroed(nuint bytes)
    {
        byte* raw = (byte*)NativeMemory.AllocZeroed(bytes + 64);
        Interlocked.Add(ref _tableBytes, (long)bytes);
        return new NativeBlock(raw, (byte*)(((nuint)raw + 63) & ~(nuint)63), bytes);
    }

    public void Free(NativeBlock block)
    {
        NativeMemory.Free(block.Raw);
        Interlocked.Add(ref _tableBytes, -(long)block.Bytes);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            NativeMemory.Free(_raw);
        }
    }
}
