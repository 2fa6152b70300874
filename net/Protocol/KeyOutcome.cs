using System.Buffers;
using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

/// <summary>
/// The resulting state of one key a decided COMMAND wrote (docs/protocol.md, "COMMAND"): the item as stored, with
/// its flags and absolute expiry, or a tombstone. Records follow the RESP reply in the COMMAND reply's value; the
/// orchestrator replays each on the other copy as a versioned REPLICA_SET or REPLICA_DELETE.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///  0     u8   kind          0 item, 1 tombstone
///  1     u8   bits          1: the value is in the engine's compressed form
///  2     u8   key length    1..250
///  3     u8   reserved      0
///  4     u32  value length
///  8     u32  item flags
/// 12     i64  expiry        absolute Unix milliseconds; 0 = none
/// 20          key, then value
/// </code>
/// </remarks>
public readonly ref struct KeyOutcome
{
    /// <summary>Bytes before the key.</summary>
    public const int HeaderSize = 20;

    /// <summary>Creates an outcome over spans of a record.</summary>
    public KeyOutcome(bool tombstone, bool compressed, uint itemFlags, long expiry, ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> value)
    {
        IsTombstone = tombstone;
        IsCompressed = compressed;
        ItemFlags = itemFlags;
        Expiry = expiry;
        Key = key;
        Value = value;
    }

    /// <summary>Whether the key was removed (its value is empty).</summary>
    public bool IsTombstone { get; }

    /// <summary>Whether <see cref="Value"/> is in the engine's compressed form.</summary>
    public bool IsCompressed { get; }

    /// <summary>The item's client flags.</summary>
    public uint ItemFlags { get; }

    /// <summary>Absolute expiry in Unix milliseconds; 0 = none.</summary>
    public long Expiry { get; }

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value as stored.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Appends the record to <paramref name="output"/>.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        int size = HeaderSize + Key.Length + Value.Length;
        Span<byte> span = output.GetSpan(size);
        span[0] = IsTombstone ? (byte)1 : (byte)0;
        span[1] = IsCompressed ? (byte)1 : (byte)0;
        span[2] = (byte)Key.Length;
        span[3] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Value.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], ItemFlags);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], Expiry);
        Key.CopyTo(span[HeaderSize..]);
        Value.CopyTo(span[(HeaderSize + Key.Length)..]);
        output.Advance(size);
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="input"/>; false when the bytes do not hold a whole,
    /// well-formed record.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out KeyOutcome outcome, out int length)
    {
        outcome = default;
        length = 0;
        if (input.Length < HeaderSize || input[0] > 1 || input[1] > 1 || input[2] == 0 || input[3] != 0)
        {
            return false;
        }
        int keyLength = input[2];
        int valueLength = BinaryPrimitives.ReadInt32LittleEndian(input[4..]);
        if (valueLength < 0 || input.Length - HeaderSize - keyLength < valueLength)
        {
            return false;
        }
        length = HeaderSize + keyLength + valueLength;
        outcome = new KeyOutcome(input[0] == 1, input[1] == 1, BinaryPrimitives.ReadUInt32LittleEndian(input[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(input[12..]), input.Slice(HeaderSize, keyLength),
            input.Slice(HeaderSize + keyLength, valueLength));
        return true;
    }
}
