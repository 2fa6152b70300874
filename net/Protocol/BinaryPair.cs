namespace EchoCache.Net.Protocol;

/// <summary>One key/value pair of an MSET body; both spans point into the request.</summary>
public readonly ref struct BinaryPair
{
    internal BinaryPair(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Key = key;
        Value = value;
    }

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value.</summary>
    public ReadOnlySpan<byte> Value { get; }
}
