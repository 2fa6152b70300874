using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

public static partial class BinaryCodec
{
    /// <summary>
    /// Writes a whole request frame: <paramref name="header"/> (its lengths ignored), then the key and the value.
    /// Returns false, having written nothing, when <paramref name="destination"/> is too small; the caller flushes and retries.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The key is over 250 bytes or the body over 64 MiB (no peer would accept it).</exception>
    public static bool TryWriteRequest(in BinaryFrameHeader header, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value,
        Span<byte> destination, out int written) =>
        TryWriteFrame(header, BinaryProtocol.RequestMagic, key, value, destination, out written);

    /// <summary>
    /// Writes a whole reply frame: <paramref name="header"/> (its lengths ignored), then the key and the value.
    /// Returns false, having written nothing, when <paramref name="destination"/> is too small.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The key is over 250 bytes or the body over 64 MiB.</exception>
    public static bool TryWriteReply(in BinaryFrameHeader header, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value,
        Span<byte> destination, out int written) =>
        TryWriteFrame(header, BinaryProtocol.ReplyMagic, key, value, destination, out written);

    /// <summary>
    /// Writes only the 40-byte header of a request whose key and value the caller writes next (40 bytes further on).
    /// Returns false when fewer than 40 bytes are free.
    /// </summary>
    public static bool TryWriteRequestHeader(in BinaryFrameHeader header, int keyLength, int valueLength,
        Span<byte> destination, out int written) =>
        TryWriteHeader(header, BinaryProtocol.RequestMagic, keyLength, valueLength, destination, out written);

    /// <summary>
    /// Writes only the 40-byte header of a reply whose key and value the caller writes next, e.g. a value decompressed
    /// straight into the send buffer. Returns false when fewer than 40 bytes are free.
    /// </summary>
    public static bool TryWriteReplyHeader(in BinaryFrameHeader header, int keyLength, int valueLength,
        Span<byte> destination, out int written) =>
        TryWriteHeader(header, BinaryProtocol.ReplyMagic, keyLength, valueLength, destination, out written);

    /// <summary>Size of one MGET body entry for a key of <paramref name="keyLength"/> bytes.</summary>
    public static int BatchKeySize(int keyLength) => BinaryProtocol.BatchKeyPrefixSize + keyLength;

    /// <summary>Size of one MSET body entry.</summary>
    public static long BatchPairSize(int keyLength, int valueLength) =>
        (long)BinaryProtocol.BatchPairPrefixSize + keyLength + valueLength;

    /// <summary>Writes one MGET body entry: <c>[u16 key length][key]</c>. False when out of room.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The key is empty or over 250 bytes.</exception>
    public static bool TryWriteBatchKey(ReadOnlySpan<byte> key, Span<byte> destination, out int written)
    {
        CheckBatchKey(key);
        int size = BatchKeySize(key.Length);
        if (destination.Length < size)
        {
            written = 0;
            return false;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)key.Length);
        key.CopyTo(destination[BinaryProtocol.BatchKeyPrefixSize..]);
        written = size;
        return true;
    }

    /// <summary>Writes one MSET body entry: <c>[u16 key length][u32 value length][key][value]</c>. False when out of room.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The key is empty or over 250 bytes.</exception>
    public static bool TryWriteBatchPair(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Span<byte> destination,
        out int written)
    {
        CheckBatchKey(key);
        long size = BatchPairSize(key.Length, value.Length);
        if (destination.Length < size)
        {
            written = 0;
            return false;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)key.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[2..], (uint)value.Length);
        key.CopyTo(destination[BinaryProtocol.BatchPairPrefixSize..]);
        value.CopyTo(destination[(BinaryProtocol.BatchPairPrefixSize + key.Length)..]);
        written = (int)size;
        return true;
    }

    private static bool TryWriteFrame(in BinaryFrameHeader header, byte magic, ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> value, Span<byte> destination, out int written)
    {
        CheckLengths(key.Length, value.Length);
        int size = BinaryProtocol.HeaderSize + key.Length + value.Length;
        if (destination.Length < size)
        {
            written = 0;
            return false;
        }
        header.Write(destination, magic, key.Length, value.Length);
        key.CopyTo(destination[BinaryProtocol.HeaderSize..]);
        value.CopyTo(destination[(BinaryProtocol.HeaderSize + key.Length)..]);
        written = size;
        return true;
    }

    private static bool TryWriteHeader(in BinaryFrameHeader header, byte magic, int keyLength, int valueLength,
        Span<byte> destination, out int written)
    {
        CheckLengths(keyLength, valueLength);
        if (destination.Length < BinaryProtocol.HeaderSize)
        {
            written = 0;
            return false;
        }
        header.Write(destination, magic, keyLength, valueLength);
        written = BinaryProtocol.HeaderSize;
        return true;
    }

    private static void CheckLengths(int keyLength, int valueLength)
    {
        if ((uint)keyLength > BinaryProtocol.MaxKeyLength)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(keyLength), "A key is at most 250 bytes.");
        }
        if ((uint)valueLength > (uint)(BinaryProtocol.MaxBodyLength - keyLength))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(valueLength), "A frame body (key and value) is at most 64 MiB.");
        }
    }

    private static void CheckBatchKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key.Length > BinaryProtocol.MaxKeyLength)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(key), "A key is 1 to 250 bytes.");
        }
    }
}
