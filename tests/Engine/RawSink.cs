using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Copies a view's value both as stored and decompressed.</summary>
public struct RawSink : IItemSink
{
    public byte[]? Stored;
    public byte[]? Plain;
    public bool Compressed;
    public int ValueLength;
    public uint Flags;

    public void Accept(in ItemView item)
    {
        Stored = item.StoredValue.ToArray();
        Compressed = item.IsCompressed;
        ValueLength = item.ValueLength;
        Flags = item.Flags;
        Plain = new byte[item.ValueLength];
        Assert.True(item.TryCopyValueTo(Plain));
    }
}
