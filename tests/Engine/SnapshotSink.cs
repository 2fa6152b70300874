using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Collects what a snapshot yields, by key; counts keys yielded more than once.</summary>
public struct SnapshotSink() : IItemSink
{
    public Dictionary<string, SnapshotItem> Items { get; } = new();

    public int Yielded { get; private set; }

    public void Accept(in ItemView item)
    {
        byte[] value = new byte[item.ValueLength];
        Assert.True(item.TryCopyValueTo(value));
        string key = Encoding.UTF8.GetString(item.Key);
        var yielded = new SnapshotItem(item.Version, value, item.IsTombstone, item.ExpiresAtUnixMs);
        // A key met twice (it may be, if it moved during the iteration) keeps its newest version.
        if (!Items.TryGetValue(key, out SnapshotItem seen) || seen.Version < yielded.Version)
        {
            Items[key] = yielded;
        }
        Yielded++;
    }

    public static Dictionary<string, SnapshotItem> Collect(CacheEngine engine, int batch = 16)
    {
        var sink = new SnapshotSink();
        SnapshotCursor cursor = engine.CreateSnapshot();
        while (!cursor.IsComplete)
        {
            cursor.Read(ref sink, batch);
        }
        return sink.Items;
    }
}
