using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// Writes an item's value as a bulk string straight into the output, decompressing into it if the engine
    /// stored it compressed: one copy, under the shard lock, no allocation. The bytes are written but not
    /// committed: the caller advances the output by <see cref="Written"/> only once the operation succeeded
    /// (SET GET may still fail after the old value was shown), so a failure leaves no trace.
    /// </summary>
    private struct BulkValueSink(OutputBuffer output) : IItemSink
    {
        /// <summary>Bytes written at the output's current position; 0 if no item came.</summary>
        public int Written { get; private set; }

        public void Accept(in ItemView item)
        {
            int length = item.ValueLength;
            Span<byte> span = output.GetSpan(length + BulkOverhead);
            RespWriter.TryWriteBulkStringHeader(length, span, out int header);
            item.TryCopyValueTo(span.Slice(header, length));
            span[header + length] = (byte)'\r';
            span[header + length + 1] = (byte)'\n';
            Written = header + length + 2;
        }
    }
}
