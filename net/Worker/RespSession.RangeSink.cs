using System.Buffers;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// Writes the substring GETRANGE asks for, with Redis's index rules (negative counts from the end, both
    /// ends inclusive, clamped), uncommitted as <see cref="BulkValueSink"/>.
    /// </summary>
    private struct RangeSink(OutputBuffer output, long start, long end) : IItemSink
    {
        public int Written { get; private set; }

        public void Accept(in ItemView item)
        {
            long length = item.ValueLength;
            long from = start, to = end;
            if (from < 0 && to < 0 && from > to)
            {
                WriteSlice(default);
                return;
            }
            if (from < 0) from += length;
            if (to < 0) to += length;
            if (from < 0) from = 0;
            if (to < 0) to = 0;
            if (to >= length) to = length - 1;
            if (from > to || length == 0)
            {
                WriteSlice(default);
                return;
            }
            int offset = (int)from;
            int count = (int)(to - from + 1);
            if (!item.IsCompressed)
            {
                WriteSlice(item.StoredValue.Slice(offset, count));
                return;
            }
            // A compressed value decompresses as a whole; ranges of large values are rare enough to rent for.
            byte[] plain = ArrayPool<byte>.Shared.Rent((int)length);
            item.TryCopyValueTo(plain);
            WriteSlice(plain.AsSpan(offset, count));
            ArrayPool<byte>.Shared.Return(plain);
        }

        private void WriteSlice(ReadOnlySpan<byte> slice)
        {
            Span<byte> span = output.GetSpan(slice.Length + BulkOverhead);
            RespWriter.TryWriteBulkString(slice, span, out int written);
            Written = written;
        }
    }
}
