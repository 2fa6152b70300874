using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// After a decided command, writes the item of a key it touched as a <see cref="KeyOutcome"/> when the item
/// carries the command's version (the command wrote it, or removed it leaving a tombstone); otherwise nothing.
/// </summary>
internal readonly struct OutcomeSink(OutputBuffer output, ulong stamp) : IItemSink
{
    public void Accept(in ItemView item)
    {
        if (item.Version != stamp)
        {
            return; // not written by this command
        }
        new KeyOutcome(item.IsTombstone, item.IsCompressed, item.Flags, item.ExpiresAtUnixMs, item.Key,
            item.IsTombstone ? default : item.StoredValue).WriteTo(output);
    }
}
