using System.Buffers.Binary;

namespace EchoCache.Bench;

/// <summary>
/// Deterministic 16-byte keys and pre-generated request streams. Key <c>i</c> is a 64-bit mix of <c>i</c>
/// followed by <c>i</c> itself (little-endian), so keys are distinct, look random, and key <c>i</c> can be
/// rebuilt anywhere without storing it. Keys <c>0..n-1</c> are loaded; keys from <c>n</c> on are misses.
/// </summary>
public static class KeyStreams
{
    /// <summary>Bytes per key.</summary>
    public const int KeySize = 16;

    /// <summary>Writes key <paramref name="index"/> into <paramref name="destination"/> (16 bytes).</summary>
    public static void Write(long index, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, Mix((ulong)index));
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], index);
    }

    /// <summary>
    /// A request stream: <paramref name="count"/> keys drawn uniformly at random from
    /// <c>[first, first + range)</c>, laid end to end as a network buffer would hold them.
    /// </summary>
    public static byte[] Random(int count, long first, int range, int seed)
    {
        var random = new Random(seed);
        byte[] stream = new byte[count * KeySize];
        for (int i = 0; i < count; i++)
        {
            Write(first + random.Next(range), stream.AsSpan(i * KeySize, KeySize));
        }
        return stream;
    }

    /// <summary>A value of <paramref name="size"/> bytes with a fixed, non-zero pattern.</summary>
    public static byte[] Value(int size)
    {
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++)
        {
            value[i] = (byte)('a' + (i % 26));
        }
        return value;
    }

    // SplitMix64's finaliser.
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }
}
