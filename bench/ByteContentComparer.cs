using System.Diagnostics.CodeAnalysis;
using EchoCache.Engine;

namespace EchoCache.Bench;

/// <summary>
/// Compares <c>byte[]</c> keys by content, and lets a <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/>
/// be probed with a <see cref="ReadOnlySpan{T}"/> of bytes (GetAlternateLookup), so the baseline's get allocates nothing.
/// Hashes with the engine's own <see cref="KeyHash"/>, so baseline and engine pay for the same hash function.
/// </summary>
public sealed class ByteContentComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    /// <summary>The one instance.</summary>
    public static ByteContentComparer Instance { get; } = new();

    private ByteContentComparer()
    {
    }

    /// <inheritdoc />
    public bool Equals(byte[]? x, byte[]? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    /// <inheritdoc />
    public int GetHashCode([DisallowNull] byte[] obj) => Fold(KeyHash.Compute(obj));

    /// <inheritdoc />
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc />
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Fold(KeyHash.Compute(alternate));

    /// <summary>Called only when the dictionary adds a key it was given as a span.</summary>
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Fold(ulong hash) => (int)(hash ^ (hash >> 32));
}
