using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// One shard's array of <see cref="Bucket"/>s (a power of two of them) and the overflow buckets its chains
/// grow into. Overflow buckets come in blocks of <see cref="OverflowBlock"/> and are freed with the table.
/// Guarded by the owning shard's lock.
/// </summary>
internal sealed unsafe class BucketTable
{
    private const int OverflowBlockShift = 8;
    private const int OverflowBlock = 1 << OverflowBlockShift;

    private readonly SlabArena _arena;
    private readonly NativeBlock _main;
    private NativeBlock[] _overflowBlocks = new NativeBlock[4];
    private int _overflowUsed;

    public BucketTable(SlabArena arena, int bucketCount)
    {
        _arena = arena;
        BucketCount = bucketCount;
        Mask = (ulong)bucketCount - 1;
        _main = arena.AllocateZeroed((nuint)bucketCount * (nuint)sizeof(Bucket));
        Buckets = (Bucket*)_main.Aligned;
    }

    public Bucket* Buckets { get; }
    public int BucketCount { get; }
    public ulong Mask { get; }

    /// <summary>Overflow buckets in use.</summary>
    public int OverflowCount => _overflowUsed;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Bucket* Home(ulong hash) => Buckets + (hash & Mask);

    /// <summary>The next bucket of a chain, or null at its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Bucket* Next(Bucket* bucket)
    {
        uint link = bucket->Control & Bucket.OverflowMask;
        if (link == 0)
        {
            return null;
        }
        uint index = link - 1;
        return (Bucket*)_overflowBlocks[index >> OverflowBlockShift].Aligned + (index & (OverflowBlock - 1));
    }

    /// <summary>Appends a fresh overflow bucket after <paramref name="tail"/> and returns it.</summary>
    public Bucket* Grow(Bucket* tail)
    {
        int index = _overflowUsed++;
        int block = index >> OverflowBlockShift;
        if (block == _overflowBlocks.Length)
        {
            Array.Resize(ref _overflowBlocks, _overflowBlocks.Length * 2);
        }
        if ((index & (OverflowBlock - 1)) == 0)
        {
            _overflowBlocks[block] = _arena.AllocateZeroed((nuint)OverflowBlock * (nuint)sizeof(Bucket));
        }
        tail->Control = (tail->Control & Bucket.MigratedBit) | (uint)(index + 1);
        return (Bucket*)_overflowBlocks[block].Aligned + (index & (OverflowBlock - 1));
    }

    public void Free()
    {
        _arena.Free(_main);
        int blocks = (_overflowUsed + OverflowBlock - 1) >> OverflowBlockShift;
        for (int i = 0; i < blocks; i++)
        {
            _arena.Free(_overflowBlocks[i]);
        }
        _overflowUsed = 0;
    }
}
