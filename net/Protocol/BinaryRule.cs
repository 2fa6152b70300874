namespace EchoCache.Net.Protocol;

/// <summary>
/// What one opcode's request may carry, as bits: key, value shape, version, expiry, item flags, and (bits 16–23)
/// the frame flags it allows. A field an opcode does not use must be 0.
/// </summary>
[Flags]
internal enum BinaryRule : uint
{
    /// <summary>Unknown opcode.</summary>
    None = 0,
    /// <summary>A key of 1 to 250 bytes is required.</summary>
    KeyRequired = 1 << 0,
    /// <summary>A key of 0 to 250 bytes is allowed.</summary>
    KeyOptional = 1 << 1,
    /// <summary>Any value.</summary>
    ValueAny = 1 << 2,
    /// <summary>An 8-byte signed integer value.</summary>
    ValueCounter = 1 << 3,
    /// <summary>An MGET key list.</summary>
    ValueKeys = 1 << 4,
    /// <summary>An MSET pair list.</summary>
    ValuePairs = 1 << 5,
    /// <summary>A non-zero version is required.</summary>
    VersionRequired = 1 << 6,
    /// <summary>A version is allowed (0 = none).</summary>
    VersionOptional = 1 << 7,
    /// <summary>The expiry field is used.</summary>
    Expiry = 1 << 8,
    /// <summary>The item flags field is used.</summary>
    ItemFlags = 1 << 9,
    /// <summary>The expiry field carries the sender's clock, and only with <see cref="BinaryFrameFlags.SenderClock"/>.</summary>
    ClockInExpiry = 1 << 10,
    /// <summary>No value, or a slot bitmap of <see cref="SlotBitmap.Size"/> bytes.</summary>
    ValueSlots = 1 << 11,
    /// <summary>Marks a known opcode (an opcode with no other bit still needs one).</summary>
    Known = 1u << 31,
    /// <summary>Shift of the allowed <see cref="BinaryFrameFlags"/> mask.</summary>
    FlagsShift = 16,
}
