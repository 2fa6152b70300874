using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// A fast, stable 64-bit hash of a key: 64x64→128-bit multiply-and-fold mixing over 16-byte blocks
/// (the construction wyhash popularised). Stable across processes and machines, so it may also
/// place keys in the cluster's slots.
/// </summary>
public static class KeyHash
{
    private const ulong P0 = 0xa0761d6478bd642f;
    private const ulong P1 = 0xe7037ed1a0b428db;
    private const ulong P2 = 0x8ebc6af09c88c6e3;

    /// <summary>Hashes <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Compute(ReadOnlySpan<byte> key)
    {
        int length = key.Length;
        ulong seed = P0 ^ (ulong)length;
        ulong a, b;
        if (length <= 16)
        {
            if (length >= 8)
            {
                a = BinaryPrimitives.ReadUInt64LittleEndian(key);
                b = BinaryPrimitives.ReadUInt64LittleEndian(key[(length - 8)..]);
            }
            else if (length >= 4)
            {
                a = BinaryPrimitives.ReadUInt32LittleEndian(key);
                b = BinaryPrimitives.ReadUInt32LittleEndian(key[(length - 4)..]);
            }
            else if (length > 0)
            {
                a = ((ulong)key[0] << 16) | ((ulong)key[length >> 1] << 8) | key[length - 1];
                b = 0;
            }
            else
            {
                a = b = 0;
            }
        }
        else
        {
            int i = 0;
            for (; i + 16 < length; i += 16)
            {
                seed = Mix(BinaryPrimitives.ReadUInt64LittleEndian(key[i..]) ^ P1,
                           BinaryPrimitives.ReadUInt64LittleEndian(key[(i + 8)..]) ^ seed);
            }
            a = BinaryPrimitives.ReadUInt64LittleEndian(key[(length - 16)..]);
            b = BinaryPrimitives.ReadUInt64LittleEndian(key[(length - 8)..]);
        }
        return Mix(P2 ^ (ulong)length, Mix(a ^ P1, b ^ seed));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x, ulong y)
    {
        ulong high = Math.BigMul(x, y, out ulong low);
        return high ^ low;
    }
}
