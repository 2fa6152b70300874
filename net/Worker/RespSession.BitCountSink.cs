using System.Buffers;
using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// BITCOUNT: the set bits of the value between <paramref name="start"/> and <paramref name="end"/> (inclusive,
    /// negative from the end, clamped), counted in bytes or, with <paramref name="bits"/>, in bits; start 0 and end
    /// -1 cover the whole value.
    /// </summary>
    private struct BitCountSink(long start, long end, bool bits) : IItemSink
    {
        /// <summary>The count; 0 when no item came.</summary>
        public long Count { get; private set; }

        public void Accept(in ItemView item)
        {
            int length = item.ValueLength;
            if (!item.IsCompressed)
            {
                Count = CountIn(item.StoredValue);
                return;
            }
            byte[] plain = ArrayPool<byte>.Shared.Rent(length);
            item.TryCopyValueTo(plain);
            Count = CountIn(plain.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(plain);
        }

        /// <summary>Redis's arithmetic: the range in the unit, then in bytes with the edge bits masked off.</summary>
        private readonly long CountIn(ReadOnlySpan<byte> value)
        {
            long total = bits ? (long)value.Length << 3 : value.Length;
            long from = start, to = end;
            if (from < 0) from += total;
            if (to < 0) to += total;
            if (from < 0) from = 0;
            if (to < 0) to = 0;
            if (to >= total) to = total - 1;
            int firstMask = 0, lastMask = 0; // bits of the edge bytes outside the range
            if (bits && from <= to)
            {
                firstMask = ~((1 << (8 - (int)(from & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int)(to & 7))) - 1;
                from >>= 3;
                to >>= 3;
            }
            if (from > to)
            {
                return 0;
            }
            long count = PopCount(value[(int)from..((int)to + 1)]);
            count -= byte.PopCount((byte)(value[(int)from] & firstMask));
            count -= byte.PopCount((byte)(value[(int)to] & lastMask));
            return count;
        }
    }
}
