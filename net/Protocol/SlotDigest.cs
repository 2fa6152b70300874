using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

/// <summary>
/// What a worker's DIGEST reply carries (docs/protocol.md, "DIGEST"): per slot, how many items it counted and the sum,
/// modulo 2^64, of their hashes (<see cref="HashItem"/>). Two copies that hold the same items agree on every slot,
/// whatever order their tables yield them in; a sum rather than an exclusive-or, so an item yielded twice (a table
/// resizing under the walk) shows as a difference rather than cancelling out: the repair that follows settles it.
/// </summary>
/// <remarks>
/// The reply's value, little-endian:
/// <code>
/// offset size field
///  0     u64  items            items counted: the entries' counts added up
///  8     u64  highest version  the highest version of any item or tombstone the key filter admits, counted or not
/// 16     u32  entries          n: the slots with at least one item counted
/// 20          n entries of 14 bytes, slots strictly ascending:
///   +0   u16  slot             0..16383
///   +2   u32  count            items of the slot counted
///   +6   u64  sum              their hashes added, modulo 2^64
/// </code>
/// A slot with no entry counted nothing (count 0, sum 0).
/// </remarks>
public sealed class SlotDigest
{
    /// <summary>Bytes before the entries.</summary>
    public const int HeaderSize = 20;

    /// <summary>Bytes of one entry.</summary>
    public const int EntrySize = 14;

    /// <summary>The largest encoding: every slot has an entry.</summary>
    public const int MaxSize = HeaderSize + (SlotBitmap.SlotCount * EntrySize);

    private readonly uint[] _counts = new uint[SlotBitmap.SlotCount];
    private readonly ulong[] _sums = new ulong[SlotBitmap.SlotCount];
    private int _entries;

    /// <summary>Items counted.</summary>
    public ulong Items { get; private set; }

    /// <summary>The highest version seen (<see cref="ObserveVersion"/>), counted or not; 0 when none.</summary>
    public ulong HighestVersion { get; private set; }

    /// <summary>Items of <paramref name="slot"/> counted.</summary>
    public uint CountOf(int slot) => _counts[slot];

    /// <summary>The sum of the hashes of <paramref name="slot"/>'s items, modulo 2^64.</summary>
    public ulong SumOf(int slot) => _sums[slot];

    /// <summary>Counts an item of <paramref name="slot"/> whose hash is <paramref name="hash"/>.</summary>
    public void Add(int slot, ulong hash)
    {
        if (_counts[slot]++ == 0)
        {
            _entries++;
        }
        unchecked
        {
            _sums[slot] += hash;
        }
        Items++;
    }

    /// <summary>Notes a version seen, for <see cref="HighestVersion"/>.</summary>
    public void ObserveVersion(ulong version)
    {
        if (version > HighestVersion)
        {
            HighestVersion = version;
        }
    }

    /// <summary>
    /// The hash a digest adds up for one live item: its key's 64-bit hash (the engine's <c>KeyHash</c> of the whole
    /// key), version, absolute expiry (0 = none) and item flags, each folded in by MurmurHash3's 64-bit finalizer:
    /// <c>fmix(fmix(fmix(fmix(keyHash) ^ version) ^ expiry) ^ flags)</c>. Not the value: one version is one write, so
    /// two copies holding a key at the same version hold the same value (and the stored form of a value may differ
    /// between copies compressed under different thresholds).
    /// </summary>
    public static ulong HashItem(ulong keyHash, ulong version, long expiry, uint flags) =>
        Mix(Mix(Mix(Mix(keyHash) ^ version) ^ (ulong)expiry) ^ flags);

    private static ulong Mix(ulong k)
    {
        unchecked
        {
            k ^= k >> 33;
            k *= 0xff51afd7ed558ccd;
            k ^= k >> 33;
            k *= 0xc4ceb9fe1a85ec53;
            k ^= k >> 33;
            return k;
        }
    }

    /// <summary>Bytes <see cref="Write"/> writes.</summary>
    public int EncodedSize => HeaderSize + (_entries * EntrySize);

    /// <summary>Writes the encoding (<see cref="EncodedSize"/> bytes) into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Items);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], HighestVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], (uint)_entries);
        int offset = HeaderSize;
        for (int slot = 0; slot < _counts.Length; slot++)
        {
            if (_counts[slot] == 0)
            {
                continue;
            }
            Span<byte> entry = destination.Slice(offset, EntrySize);
            BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)slot);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[2..], _counts[slot]);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[6..], _sums[slot]);
            offset += EntrySize;
        }
    }

    /// <summary>
    /// Reads an encoding; null when it is malformed: shorter than its header, a length that is not its entries', a
    /// slot out of range or out of order, an entry counting nothing, or counts that do not add up to its items.
    /// </summary>
    public static SlotDigest? TryRead(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < HeaderSize)
        {
            return null;
        }
        ulong items = BinaryPrimitives.ReadUInt64LittleEndian(encoded);
        uint entries = BinaryPrimitives.ReadUInt32LittleEndian(encoded[16..]);
        if (entries > SlotBitmap.SlotCount || encoded.Length != HeaderSize + ((int)entries * EntrySize))
        {
            return null;
        }
        var digest = new SlotDigest { HighestVersion = BinaryPrimitives.ReadUInt64LittleEndian(encoded[8..]) };
        int previous = -1;
        ulong counted = 0;
        for (int i = 0; i < entries; i++)
        {
            ReadOnlySpan<byte> entry = encoded.Slice(HeaderSize + (i * EntrySize), EntrySize);
            int slot = BinaryPrimitives.ReadUInt16LittleEndian(entry);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(entry[2..]);
            if (slot <= previous || slot >= SlotBitmap.SlotCount || count == 0)
            {
                return null;
            }
            digest._counts[slot] = count;
            digest._sums[slot] = BinaryPrimitives.ReadUInt64LittleEndian(entry[6..]);
            counted += count;
            previous = slot;
        }
        if (counted != items)
        {
            return null;
        }
        digest._entries = (int)entries;
        digest.Items = items;
        return digest;
    }

    /// <summary>The slots, ascending, whose count or sum differs from <paramref name="other"/>'s.</summary>
    public List<int> DifferingSlots(SlotDigest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differing = new List<int>();
        for (int slot = 0; slot < _counts.Length; slot++)
        {
            if (_counts[slot] != other._counts[slot] || _sums[slot] != other._sums[slot])
            {
                differing.Add(slot);
            }
        }
        return differing;
    }
}
