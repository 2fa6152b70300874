using System.Buffers.Binary;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>The per-slot digest a DIGEST reply carries: how it adds up, its encoding, and what it refuses to read.</summary>
public sealed class SlotDigestTests
{
    private static readonly (int Slot, ulong Hash)[] Items =
        [(0, 1), (0, 0xFFFF_FFFF_FFFF_FFFF), (5, 42), (5, 43), (5, 44), (700, 0x1234_5678_9ABC_DEF0), (16383, 7)];

    [Fact]
    public void The_order_items_are_added_in_changes_nothing()
    {
        SlotDigest forward = Of(Items);
        SlotDigest backward = Of([.. Items.Reverse()]);
        Assert.Empty(forward.DifferingSlots(backward));
        Assert.Equal(Encode(forward), Encode(backward));
        Assert.Equal(7UL, forward.Items);
        Assert.Equal(3U, forward.CountOf(5));
        Assert.Equal(42UL + 43 + 44, forward.SumOf(5));
        Assert.Equal(0UL, forward.SumOf(0)); // 1 + (2^64 - 1) wraps to 0, and still counts two items
        Assert.Equal(2U, forward.CountOf(0));
    }

    [Fact]
    public void An_item_counted_twice_differs_though_an_exclusive_or_would_cancel_it()
    {
        SlotDigest once = Of(Items);
        SlotDigest twice = Of([.. Items, (700, 0x1234_5678_9ABC_DEF0), (700, 0x1234_5678_9ABC_DEF0)]);
        Assert.Equal([700], once.DifferingSlots(twice));
    }

    [Fact]
    public void Only_the_slots_that_differ_are_named()
    {
        SlotDigest first = Of(Items);
        // Slot 5: another hash; slot 9: only in the second; slot 16383: only in the first.
        SlotDigest second = Of([(0, 1), (0, 0xFFFF_FFFF_FFFF_FFFF), (5, 42), (5, 43), (5, 45), (9, 1), (700, 0x1234_5678_9ABC_DEF0)]);
        Assert.Equal([5, 9, 16383], first.DifferingSlots(second));
        Assert.Equal([5, 9, 16383], second.DifferingSlots(first));
    }

    [Fact]
    public void The_encoding_lists_the_slots_that_count_something_in_order_and_reads_back()
    {
        SlotDigest digest = Of(Items);
        digest.ObserveVersion(99);
        digest.ObserveVersion(7);
        byte[] encoded = Encode(digest);
        Assert.Equal(SlotDigest.HeaderSize + (4 * SlotDigest.EntrySize), encoded.Length);
        Assert.Equal(7UL, BinaryPrimitives.ReadUInt64LittleEndian(encoded));
        Assert.Equal(99UL, BinaryPrimitives.ReadUInt64LittleEndian(encoded.AsSpan(8)));
        Assert.Equal(4U, BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(16)));
        int[] slots = [.. Enumerable.Range(0, 4).Select(i => (int)BinaryPrimitives.ReadUInt16LittleEndian(encoded.AsSpan(SlotDigest.HeaderSize + (i * SlotDigest.EntrySize))))];
        Assert.Equal([0, 5, 700, 16383], slots);
        // Slot 5's entry: count 3, then the sum.
        ReadOnlySpan<byte> entry = encoded.AsSpan(SlotDigest.HeaderSize + SlotDigest.EntrySize, SlotDigest.EntrySize);
        Assert.Equal(3U, BinaryPrimitives.ReadUInt32LittleEndian(entry[2..]));
        Assert.Equal(42UL + 43 + 44, BinaryPrimitives.ReadUInt64LittleEndian(entry[6..]));

        SlotDigest? read = SlotDigest.TryRead(encoded);
        Assert.NotNull(read);
        Assert.Empty(read.DifferingSlots(digest));
        Assert.Equal(99UL, read.HighestVersion);
        Assert.Equal(7UL, read.Items);
        Assert.Equal(encoded, Encode(read));
    }

    [Fact]
    public void An_empty_digest_is_its_header_alone()
    {
        byte[] encoded = Encode(new SlotDigest());
        Assert.Equal(new byte[SlotDigest.HeaderSize], encoded);
        Assert.NotNull(SlotDigest.TryRead(encoded));
    }

    [Fact]
    public void Every_slot_fits_the_largest_encoding()
    {
        SlotDigest full = Of([.. Enumerable.Range(0, KeySlot.Count).Select(s => (s, (ulong)s))]);
        Assert.Equal(SlotDigest.MaxSize, full.EncodedSize);
        Assert.True(SlotDigest.MaxSize < BinaryProtocol.MaxBodyLength);
    }

    public static TheoryData<string> Malformations => new(
        "shorter than its header", "longer than its entries", "shorter than its entries", "more entries than slots",
        "slots out of order", "a slot twice", "a slot past the last", "an entry counting nothing", "counts not adding up");

    [Theory]
    [MemberData(nameof(Malformations))]
    public void A_malformed_encoding_is_refused(string malformation)
    {
        byte[] valid = Encode(Of(Items));
        byte[] bad = [.. valid];
        Span<byte> second = bad.AsSpan(SlotDigest.HeaderSize + SlotDigest.EntrySize);
        switch (malformation)
        {
            case "shorter than its header": bad = valid[..(SlotDigest.HeaderSize - 1)]; break;
            case "longer than its entries": bad = [.. valid, 0]; break;
            case "shorter than its entries": bad = valid[..^1]; break;
            case "more entries than slots": BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(16), KeySlot.Count + 1); break;
            case "slots out of order": BinaryPrimitives.WriteUInt16LittleEndian(second, 800); break; // 0, 800, 700, ...
            case "a slot twice": BinaryPrimitives.WriteUInt16LittleEndian(second, 0); break;
            case "a slot past the last":
                BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(SlotDigest.HeaderSize + (3 * SlotDigest.EntrySize)), KeySlot.Count);
                break;
            case "an entry counting nothing":
                BinaryPrimitives.WriteUInt32LittleEndian(second[2..], 0);
                BinaryPrimitives.WriteUInt64LittleEndian(bad, 4); // the items still add up
                break;
            case "counts not adding up": BinaryPrimitives.WriteUInt64LittleEndian(bad, 8); break;
        }
        Assert.NotNull(SlotDigest.TryRead(valid));
        Assert.Null(SlotDigest.TryRead(bad));
    }

    [Fact]
    public void An_items_hash_depends_on_each_of_its_fields()
    {
        ulong hash = SlotDigest.HashItem(1, 2, 3, 4);
        Assert.Equal(hash, SlotDigest.HashItem(1, 2, 3, 4));
        Assert.NotEqual(hash, SlotDigest.HashItem(5, 2, 3, 4));
        Assert.NotEqual(hash, SlotDigest.HashItem(1, 5, 3, 4));
        Assert.NotEqual(hash, SlotDigest.HashItem(1, 2, 5, 4));
        Assert.NotEqual(hash, SlotDigest.HashItem(1, 2, 3, 5));
        Assert.NotEqual(SlotDigest.HashItem(1, 2, 0, 0), SlotDigest.HashItem(2, 1, 0, 0));
    }

    [Fact]
    public void A_slot_bitmap_holds_one_bit_per_slot_lowest_bit_first()
    {
        Assert.Equal(KeySlot.Count / 8, SlotBitmap.Size);
        byte[] bitmap = SlotBitmap.Of([0, 9, 16383]);
        Assert.Equal(SlotBitmap.Size, bitmap.Length);
        Assert.Equal(0x01, bitmap[0]);
        Assert.Equal(0x02, bitmap[1]);
        Assert.Equal(0x80, bitmap[^1]);
        Assert.Equal([0, 9, 16383], Enumerable.Range(0, KeySlot.Count).Where(s => SlotBitmap.Contains(bitmap, s)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlotBitmap.Of([KeySlot.Count]));
    }

    private static SlotDigest Of(IEnumerable<(int Slot, ulong Hash)> items)
    {
        var digest = new SlotDigest();
        foreach ((int slot, ulong hash) in items)
        {
            digest.Add(slot, hash);
        }
        return digest;
    }

    private static byte[] Encode(SlotDigest digest)
    {
        var bytes = new byte[digest.EncodedSize];
        digest.Write(bytes);
        return bytes;
    }
}
