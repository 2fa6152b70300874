using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Copies what the engine hands out, decompressed, into managed memory for assertions.</summary>
public struct CopySink : IItemSink
{
    public byte[]? Value;
    public byte[]? Key;
    public ulong Version;
    public uint Flags;
    public long ExpiresAt;
    public bool Compressed;
    public bool Tombstone;
    public int Calls;

    public void Accept(in ItemView item)
    {
        Calls++;
        Value = new byte[item.ValueLength];
        Assert.True(item.TryCopyValueTo(Value));
        Key = item.Key.ToArray();
        Version = item.Version;
        Flags = item.Flags;
        ExpiresAt = item.ExpiresAtUnixMs;
        Compressed = item.IsCompressed;
        Tombstone = item.IsTombstone;
    }
}
