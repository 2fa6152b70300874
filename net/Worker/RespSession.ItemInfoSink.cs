using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>Takes an item's value length and expiry, not its bytes (STRLEN, TTL, EXPIRETIME).</summary>
    private struct ItemInfoSink : IItemSink
    {
        public int ValueLength { get; private set; }

        /// <summary>Unix milliseconds; 0 when the item never expires.</summary>
        public long ExpiresAtUnixMs { get; private set; }

        public void Accept(in ItemView item)
        {
            ValueLength = item.ValueLength;
            ExpiresAtUnixMs = item.ExpiresAtUnixMs;
        }
    }
}
