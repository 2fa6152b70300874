using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace EchoCache.Engine;

/// <summary>The engine's compressed value form: a little-endian u32 original length, then one LZ4 block.</summary>
internal static class ValueCompression
{
    /// <summary>Bytes <see cref="TryCompress"/> may need for a value of <paramref name="length"/> bytes.</summary>
    public static int MaxCompressedLength(int length) => 4 + LZ4Codec.MaximumOutputSize(length);

    /// <summary>
    /// Compresses <paramref name="value"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxCompressedLength"/> bytes). Returns the compressed form's length, or 0 when it would not
    /// be smaller than the value, in which case the value is to be stored plain.
    /// </summary>
    public static int TryCompress(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int length = LZ4Codec.Encode(value, destination[4..], LZ4Level.L00_FAST);
        if (length <= 0 || length + 4 >= value.Length)
        {
            return 0;
        }
        BinaryPrimitives.WriteInt32LittleEndian(destination, value.Length);
        return length + 4;
    }
}
