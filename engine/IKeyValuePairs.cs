namespace EchoCache.Engine;

/// <summary>A list of keys and values for a multi-key write (MSETNX), read without copying.</summary>
public interface IKeyValuePairs
{
    /// <summary>Number of pairs.</summary>
    int Count { get; }

    /// <summary>The key of pair <paramref name="index"/>.</summary>
    ReadOnlySpan<byte> Key(int index);

    /// <summary>The value of pair <paramref name="index"/>.</summary>
    ReadOnlySpan<byte> Value(int index);
}
