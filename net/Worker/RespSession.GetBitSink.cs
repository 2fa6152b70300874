using System.Buffers;
using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>GETBIT: the bit at an offset of the value, 0 past its end.</summary>
    private struct GetBitSink(long offset) : IItemSink
    {
        /// <summary>0 or 1; 0 when no item came.</summary>
        public int Bit { get; private set; }

        public void Accept(in ItemView item)
        {
            long index = offset >> 3;
            int length = item.ValueLength;
            if (index >= length)
            {
                return;
            }
            byte value;
            if (!item.IsCompressed)
            {
                value = item.StoredValue[(int)index];
            }
            else
            {
                // A compressed value decompresses as a whole (it is at least the compression threshold long).
                byte[] plain = ArrayPool<byte>.Shared.Rent(length);
                item.TryCopyValueTo(plain);
                value = plain[(int)index];
                ArrayPool<byte>.Shared.Return(plain);
            }
            Bit = (value >> (7 - (int)(offset & 7))) & 1;
        }
    }
}
