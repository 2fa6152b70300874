using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>Counts the live items that carry an expiry (INFO keyspace's "expires").</summary>
    private struct ExpiryCounter : IItemSink
    {
        public long Count { get; private set; }

        public void Accept(in ItemView item)
        {
            if (!item.IsTombstone && item.ExpiresAtUnixMs != 0)
            {
                Count++;
            }
        }
    }
}
