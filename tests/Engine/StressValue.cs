using System.Buffers.Binary;

namespace EchoCache.Tests.Engine;

/// <summary>
/// A self-describing value: the key it belongs to, who wrote it and when, a payload derived from those, and a
/// checksum over all of it. A torn, mixed or foreign value fails <see cref="TryRead"/>.
/// <code>
/// [u8 key length][key][u32 writer][u64 sequence][u32 payload length][payload][u64 FNV-1a of everything before]
/// </code>
/// </summary>
internal static class StressValue
{
    public static byte[] Create(ReadOnlySpan<byte> key, int writer, long sequence, int payloadLength)
    {
        byte[] value = new byte[1 + key.Length + 4 + 8 + 4 + payloadLength + 8];
        int at = 0;
        value[at++] = (byte)key.Length;
        key.CopyTo(value.AsSpan(at));
        at += key.Length;
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(at), writer);
        at += 4;
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(at), sequence);
        at += 8;
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(at), payloadLength);
        at += 4;
        for (int i = 0; i < payloadLength; i++)
        {
            // Repeats every 61 bytes: long payloads compress, so compressed values are checked too.
            value[at + i] = PayloadByte(writer, sequence, i);
        }
        at += payloadLength;
        BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(at), Checksum(value.AsSpan(0, at)));
        return value;
    }

    /// <summary>Validates a value read for <paramref name="key"/>; false (with a reason) if anything is off.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, ReadOnlySpan<byte> key, out int writer, out long sequence, out string problem)
    {
        writer = -1;
        sequence = -1;
        problem = "";
        if (value.Length < 1 + 4 + 8 + 4 + 8 || value[0] != key.Length || value.Length < 1 + key.Length + 24)
        {
            problem = $"bad shape ({value.Length} bytes)";
            return false;
        }
        int at = 1;
        if (!value.Slice(at, key.Length).SequenceEqual(key))
        {
            problem = "value of another key";
            return false;
        }
        at += key.Length;
        writer = BinaryPrimitives.ReadInt32LittleEndian(value[at..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(value[(at + 4)..]);
        int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(value[(at + 12)..]);
        at += 16;
        if (payloadLength < 0 || at + payloadLength + 8 != value.Length)
        {
            problem = $"bad payload length {payloadLength} in {value.Length} bytes";
            return false;
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(value[(at + payloadLength)..]) != Checksum(value[..(at + payloadLength)]))
        {
            problem = "checksum mismatch (torn value)";
            return false;
        }
        for (int i = 0; i < payloadLength; i++)
        {
            if (value[at + i] != PayloadByte(writer, sequence, i))
            {
                problem = "payload not the writer's";
                return false;
            }
        }
        return true;
    }

    private static byte PayloadByte(int writer, long sequence, int index) => (byte)(writer * 37 + sequence * 11 + index % 61);

    private static ulong Checksum(ReadOnlySpan<byte> data)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }
        return hash;
    }
}
