namespace EchoCache.Net.Protocol;

/// <summary>
/// A set of slots as a filtered SNAPSHOT request carries it (docs/protocol.md, "SNAPSHOT"): one bit per slot,
/// slot <c>s</c> in byte <c>s / 8</c>, bit <c>s mod 8</c> (1 = bit 0, the least significant).
/// <code>
/// byte    0: slots 0..7      (bit 0 = slot 0)
/// byte    1: slots 8..15
/// ...
/// byte 2047: slots 16376..16383
/// </code>
/// </summary>
public static class SlotBitmap
{
    /// <summary>Number of slots (<see cref="Commands.KeySlot.Count"/>).</summary>
    public const int SlotCount = Commands.KeySlot.Count;

    /// <summary>Encoded size: one bit per slot.</summary>
    public const int Size = SlotCount / 8;

    /// <summary>Whether <paramref name="slot"/> is in <paramref name="bitmap"/>.</summary>
    public static bool Contains(ReadOnlySpan<byte> bitmap, int slot) => (bitmap[slot >> 3] & (1 << (slot & 7))) != 0;

    /// <summary>Adds <paramref name="slot"/> to <paramref name="bitmap"/>.</summary>
    public static void Add(Span<byte> bitmap, int slot) => bitmap[slot >> 3] |= (byte)(1 << (slot & 7));

    /// <summary>A bitmap holding <paramref name="slots"/>.</summary>
    public static byte[] Of(IEnumerable<int> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        byte[] bitmap = new byte[Size];
        foreach (int slot in slots)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(slot);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, SlotCount);
            Add(bitmap, slot);
        }
        return bitmap;
    }
}
