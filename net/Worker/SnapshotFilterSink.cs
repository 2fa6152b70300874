using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

/// <summary>
/// Writes the items a SNAPSHOT walk yields as item frames (<see cref="BinaryReplySink"/>), leaving out those its
/// filter excludes (docs/protocol.md, "SNAPSHOT"): items above the version ceiling (0: none), live items expiring at or
/// before the horizon (0: none; tombstones are kept whatever their expiry), and keys outside the slot bitmap (null:
/// every slot). Counts the frames it wrote.
/// </summary>
internal struct SnapshotFilterSink(BinaryReplySink frames, byte[]? slots, ulong ceiling, long horizon) : IItemSink
{
    /// <summary>Item frames written.</summary>
    public long Written;

    public void Accept(in ItemView item)
    {
        if (ceiling != 0 && item.Version > ceiling)
        {
            return;
        }
        if (horizon != 0 && !item.IsTombstone && item.ExpiresAtUnixMs != 0 && item.ExpiresAtUnixMs <= horizon)
        {
            return;
        }
        if (slots != null && !SlotBitmap.Contains(slots, KeySlot.Of(item.Key)))
        {
            return;
        }
        frames.Accept(item);
        Written++;
    }
}
