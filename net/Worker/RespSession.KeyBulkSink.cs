using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// Writes the first key it is handed that the filter admits as a bulk string (RANDOMKEY), uncommitted as
    /// <see cref="BulkValueSink"/>; later keys are ignored.
    /// </summary>
    private struct KeyBulkSink(OutputBuffer output, KeyFilter filter) : IItemSink
    {
        public int Written { get; private set; }

        public void Accept(in ItemView item)
        {
            if (Written != 0 || item.IsTombstone || !filter.Admits(item.Key))
            {
                return;
            }
            Span<byte> span = output.GetSpan(item.Key.Length + BulkOverhead);
            RespWriter.TryWriteBulkString(item.Key, span, out int written);
            Written = written;
        }
    }
}
