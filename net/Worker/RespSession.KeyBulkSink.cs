using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>Writes an item's key as a bulk string (RANDOMKEY), uncommitted as <see cref="BulkValueSink"/>.</summary>
    private struct KeyBulkSink(OutputBuffer output) : IItemSink
    {
        public int Written { get; private set; }

        public void Accept(in ItemView item)
        {
            Span<byte> span = output.GetSpan(item.Key.Length + BulkOverhead);
            RespWriter.TryWriteBulkString(item.Key, span, out int written);
            Written = written;
        }
    }
}
