using System.Buffers.Binary;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net.Fuzz;

/// <summary>Mutates binary frames; its length corruption aims at the header fields and the MGET/MSET prefixes.</summary>
internal sealed class BinaryMutationFuzzer(IEnumerable<byte[]> seeds, ulong seed, byte magic) : MutationFuzzer(seeds, seed)
{
    private static readonly uint[] Lengths =
    [
        0, 1, 2, 7, 8, 9, 40, 249, 250, 251, 255, 256, 0xFFFF, 0x10000,
        BinaryProtocol.MaxBodyLength - 250, BinaryProtocol.MaxBodyLength - 251, BinaryProtocol.MaxBodyLength,
        BinaryProtocol.MaxBodyLength + 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ];

    private static readonly byte[] Interesting =
    [
        0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 250, 251, 8, 40,
        BinaryProtocol.RequestMagic, BinaryProtocol.ReplyMagic, BinaryProtocol.ProtocolVersion,
        0x01, 0x02, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x0D, 0x0E, 0x0F, 0x10, 0x40, 0x41, 0x42, 0x43, 0x48, 0x49, 0x4A,
    ];

    protected override ReadOnlySpan<byte> InterestingBytes => Interesting;

    private readonly byte[] _prefix = [magic, BinaryProtocol.ProtocolVersion];

    protected override ReadOnlySpan<byte> RandomInputPrefix() => Random.OneIn(2) ? _prefix : default;

    protected override void CorruptLength()
    {
        // A header starts at 0 or, in a pipelined input, at some later magic byte.
        int start = 0;
        if (Random.OneIn(2))
        {
            int found = Input[1..].IndexOfAny(BinaryProtocol.RequestMagic, BinaryProtocol.ReplyMagic);
            start = found < 0 ? 0 : found + 1;
        }
        Span<byte> header = Input[start..];
        if (header.Length < BinaryProtocol.HeaderSize)
        {
            if (header.Length > 4)
            {
                header[4] = (byte)Random.Pick(Lengths);
            }
            return;
        }
        switch (Random.Next(8))
        {
            case 0:
                header[4] = (byte)Random.Pick(Lengths);
                break;
            case 1:
            case 2:
                uint actual = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
                uint value = Random.OneIn(3) ? actual + (uint)Random.Next(5) - 2 : Random.Pick(Lengths);
                BinaryPrimitives.WriteUInt32LittleEndian(header[8..], value);
                break;
            case 3:
                header[2] = Random.OneIn(2) ? Interesting[13 + Random.Next(Interesting.Length - 13)] : Random.NextByte();
                break;
            case 4:
                header[3] = (byte)(1 << Random.Next(8)); // one flag
                break;
            case 5:
                // version, expiry, item flags or reserved: zero, small, negative or random
                int[] offsets = [6, 12, 24, 32];
                int offset = Random.Pick(offsets);
                ulong field = Random.Next(4) switch { 0 => 0, 1 => 1, 2 => ulong.MaxValue, _ => Random.NextUInt64() };
                if (offset == 6)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)field);
                }
                else if (offset == 12)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)field);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(header[offset..], field);
                }
                break;
            default:
                // A batch entry's key (u16) or value (u32) length inside the body.
                if (header.Length > BinaryProtocol.HeaderSize + 6)
                {
                    int at = BinaryProtocol.HeaderSize + Random.Next(header.Length - BinaryProtocol.HeaderSize - 6);
                    if (Random.OneIn(2))
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(header[at..], (ushort)Random.Pick(Lengths));
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(header[at..], Random.Pick(Lengths));
                    }
                }
                break;
        }
    }
}
