using EchoCache.Engine;

namespace EchoCache.Net.Commands;

/// <summary>
/// The slot of a key, as the orchestrator routes it and a worker filters its keys by it: the key's stable 64-bit
/// hash modulo <see cref="Count"/>. A hash tag, as in Redis Cluster, hashes only the part between the first '{'
/// and the first '}' after it, when that part is not empty: <c>{user:1}:a</c> and <c>{user:1}:b</c> share a slot,
/// so a user can keep the keys of a multi-key command together.
/// </summary>
public static class KeySlot
{
    /// <summary>Number of slots.</summary>
    public const int Count = 16384;

    /// <summary>The slot of <paramref name="key"/>.</summary>
    public static int Of(ReadOnlySpan<byte> key) => (int)(KeyHash.Compute(HashedPart(key)) % Count);

    /// <summary>The part of <paramref name="key"/> that is hashed: its hash tag, or the whole key.</summary>
    public static ReadOnlySpan<byte> HashedPart(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0)
        {
            return key;
        }
        int close = key[(open + 1)..].IndexOf((byte)'}');
        return close <= 0 ? key : key.Slice(open + 1, close);
    }
}
