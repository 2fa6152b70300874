namespace EchoCache.Engine;

/// <summary>A block of native memory handed out by <see cref="SlabArena.AllocateZeroed"/>: the aligned start and what to free.</summary>
internal readonly unsafe struct NativeBlock(byte* raw, byte* aligned, nuint bytes)
{
    public byte* Raw { get; } = raw;
    public byte* Aligned { get; } = aligned;
    public nuint Bytes { get; } = bytes;
}
