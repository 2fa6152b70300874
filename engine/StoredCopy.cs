namespace EchoCache.Engine;

/// <summary>An item copied out as stored (compressed form kept), to be written again under another key.</summary>
internal struct StoredCopy : IItemSink
{
    public byte[]? Value;
    public bool Compressed;
    public uint Flags;
    public long ExpiresAtUnixMs;

    public void Accept(in ItemView item)
    {
        Value = item.StoredValue.ToArray();
        Compressed = item.IsCompressed;
        Flags = item.Flags;
        ExpiresAtUnixMs = item.ExpiresAtUnixMs;
    }

    public readonly WriteOptions AsOptions() => new()
    {
        Flags = Flags,
        ExpiresAtUnixMs = ExpiresAtUnixMs,
        ValueIsCompressed = Compressed,
    };
}
