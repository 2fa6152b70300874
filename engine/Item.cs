using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// The layout of one item inside its slab chunk, and the only code that reads or writes it.
/// Items are 4-byte aligned; the 64-bit fields are read unaligned, which x64 and arm64 allow.
/// <code>
/// [ 0.. 8) version       u64  write version: orchestrator-assigned or local; the CAS token
/// [ 8..16) meta          u64  [63..24: expiry, 40 bits of ms since 2020-01-01 UTC; 0 = never]
///                             [23..16: key length, 8 bits]
///                             [15.. 0: bits: 0 live, 1 clock reference, 2 compressed, 3 tombstone, 4 has flags]
/// [16..20) value length  u32  bytes stored (the compressed form's length when compressed)
/// [20..24) client flags  u32  present only when the has-flags bit is set
/// then the key bytes, then the stored value bytes
/// </code>
/// A free chunk has meta = 0 (live bit clear) and keeps the index of the next free chunk of its page
/// in the value-length field. The whole header is 20 bytes for the common flag-less item.
/// </summary>
internal static unsafe class Item
{
    public const int HeaderSize = 20;
    public const int FlagsSize = 4;

    public const ulong LiveBit = 1 << 0;
    public const ulong ReferencedBit = 1 << 1;
    public const ulong CompressedBit = 1 << 2;
    public const ulong TombstoneBit = 1 << 3;
    public const ulong HasFlagsBit = 1 << 4;

    private const int KeyLengthShift = 16;
    private const int ExpiryShift = 24;

    /// <summary>Latest expiry the 40-bit field holds; anything later must saturate here, not wrap.</summary>
    public const long MaxRawExpiry = (1L << 40) - 1;

    /// <summary>Bytes an item of this shape occupies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(int keyLength, int storedValueLength, uint flags) =>
        HeaderSize + (flags != 0 ? FlagsSize : 0) + keyLength + storedValueLength;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Version(byte* item) => *(ulong*)item;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetVersion(byte* item, ulong version) => *(ulong*)item = version;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Meta(byte* item) => *(ulong*)(item + 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyLength(ulong meta) => (int)(meta >> KeyLengthShift) & 0xFF;

    /// <summary>Expiry as stored: ms since <see cref="EngineLimits.ExpiryEpochUnixMs"/>, 0 = never.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long RawExpiry(ulong meta) => (long)(meta >> ExpiryShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLive(ulong meta) => (meta & LiveBit) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTombstone(ulong meta) => (meta & TombstoneBit) != 0;

    /// <summary>Whether the item has expired at <paramref name="nowRaw"/> (engine-epoch ms).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsExpired(ulong meta, long nowRaw)
    {
        long expiry = RawExpiry(meta);
        return expiry != 0 && expiry <= nowRaw;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ValueLength(byte* item) => *(int*)(item + 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Flags(byte* item, ulong meta) => (meta & HasFlagsBit) != 0 ? *(uint*)(item + HeaderSize) : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int KeyOffset(ulong meta) => HeaderSize + ((meta & HasFlagsBit) != 0 ? FlagsSize : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> Key(byte* item, ulong meta) =>
        new(item + KeyOffset(meta), KeyLength(meta));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> StoredValue(byte* item, ulong meta) =>
        new(item + KeyOffset(meta) + KeyLength(meta), ValueLength(item));

    /// <summary>Sets the clock reference bit, writing only when it is clear (a hot item dirties no cache line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MarkReferenced(byte* item)
    {
        ulong* meta = (ulong*)(item + 8);
        if ((*meta & ReferencedBit) == 0)
        {
            *meta |= ReferencedBit;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClearReferenced(byte* item) => *(ulong*)(item + 8) &= ~ReferencedBit;

    /// <summary>Replaces the expiry of a live item, keeping every other field.</summary>
    public static void SetRawExpiry(byte* item, long rawExpiry)
    {
        ulong* meta = (ulong*)(item + 8);
        *meta = (*meta & ((1UL << ExpiryShift) - 1)) | ((ulong)rawExpiry << ExpiryShift);
    }

    /// <summary>Writes a whole item into a chunk (which may be the item's own chunk, rewritten in place).</summary>
    public static void Write(byte* item, ReadOnlySpan<byte> key, ReadOnlySpan<byte> storedValue, ulong version,
        long rawExpiry, uint flags, ulong bits)
    {
        if (flags != 0)
        {
            bits |= HasFlagsBit;
            *(uint*)(item + HeaderSize) = flags;
        }
        bits |= LiveBit;
        *(ulong*)item = version;
        *(ulong*)(item + 8) = ((ulong)rawExpiry << ExpiryShift) | ((ulong)key.Length << KeyLengthShift) | bits;
        *(int*)(item + 16) = storedValue.Length;
        byte* keyAt = item + KeyOffset(bits);
        key.CopyTo(new Span<byte>(keyAt, key.Length));
        storedValue.CopyTo(new Span<byte>(keyAt + key.Length, storedValue.Length));
    }

    /// <summary>
    /// Rewrites a live item's value and fields in its own chunk, keeping its key: the caller checked that the new
    /// item needs the same size class. The key moves when the has-flags bit changes (4 bytes of flags come or go).
    /// </summary>
    public static void Overwrite(byte* item, ReadOnlySpan<byte> storedValue, ulong version, long rawExpiry, uint flags,
        ulong bits)
    {
        ulong meta = Meta(item);
        int keyLength = KeyLength(meta);
        bool hadFlags = (meta & HasFlagsBit) != 0;
        if (hadFlags != (flags != 0))
        {
            RewriteMovingKey(item, meta, storedValue, version, rawExpiry, flags, bits);
            return;
        }
        if (flags != 0)
        {
            bits |= HasFlagsBit;
            *(uint*)(item + HeaderSize) = flags;
        }
        *(ulong*)item = version;
        *(ulong*)(item + 8) = ((ulong)rawExpiry << ExpiryShift) | ((ulong)keyLength << KeyLengthShift) | bits | LiveBit;
        *(int*)(item + 16) = storedValue.Length;
        storedValue.CopyTo(new Span<byte>(item + KeyOffset(bits) + keyLength, storedValue.Length));
    }

    /// <summary>
    /// Rare: rewrites the whole item so the key lands at its new offset. Out of line, so its key buffer (zeroed on
    /// entry) is not part of the frame of every set that inlines <see cref="Overwrite"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RewriteMovingKey(byte* item, ulong meta, ReadOnlySpan<byte> storedValue, ulong version,
        long rawExpiry, uint flags, ulong bits)
    {
        Span<byte> key = stackalloc byte[EngineLimits.MaxKeyLength];
        Key(item, meta).CopyTo(key);
        Write(item, key[..KeyLength(meta)], storedValue, version, rawExpiry, flags, bits);
    }

    /// <summary>The view handed to sinks.</summary>
    public static ItemView View(byte* item)
    {
        ulong meta = Meta(item);
        long raw = RawExpiry(meta);
        return new ItemView(Key(item, meta), StoredValue(item, meta), Version(item), Flags(item, meta),
            raw == 0 ? 0 : raw + EngineLimits.ExpiryEpochUnixMs, (meta & CompressedBit) != 0, IsTombstone(meta));
    }

    /// <summary>Marks a chunk free and links it to the next free chunk of its page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MarkFree(byte* chunk, int nextFree)
    {
        *(ulong*)(chunk + 8) = 0;
        *(int*)(chunk + 16) = nextFree;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NextFree(byte* chunk) => *(int*)(chunk + 16);
}
