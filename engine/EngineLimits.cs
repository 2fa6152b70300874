namespace EchoCache.Engine;

/// <summary>Hard limits of the storage engine, checked before any memory is touched.</summary>
public static class EngineLimits
{
    /// <summary>Longest key in bytes (the item header keeps the length in one byte).</summary>
    public const int MaxKeyLength = 250;

    /// <summary>Size of one slab page: the unit in which memory moves between size classes and shards.</summary>
    public const int PageSize = 1 << PageShift;

    /// <summary>log2 of <see cref="PageSize"/>.</summary>
    public const int PageShift = 20;

    /// <summary>Largest item (header, key and stored value) in bytes: one whole page.</summary>
    public const int MaxItemSize = PageSize;

    /// <summary>
    /// Largest arena: item references are 32-bit offsets in 4-byte units, so 16 GiB less the reserved page 0.
    /// </summary>
    public const long MaxMemoryLimit = (4L << 30) * 4 - PageSize;

    /// <summary>Smallest memory limit: a few pages so every shard can hold something.</summary>
    public const long MinMemoryLimit = 4L * PageSize;

    /// <summary>Expiry times are kept in 40 bits of milliseconds since <see cref="ExpiryEpochUnixMs"/> (until 2054).</summary>
    public const long ExpiryEpochUnixMs = 1_577_836_800_000; // 2020-01-01T00:00:00Z

    /// <summary>
    /// Largest value once decompressed. A value handed in compressed may stand for at most this many bytes;
    /// a plain value longer than one page is stored only if it compresses into one.
    /// </summary>
    public const int MaxDecompressedLength = 64 << 20;

    /// <summary>Latest expiry time the item header can hold, in Unix milliseconds.</summary>
    public const long MaxExpiryUnixMs = ExpiryEpochUnixMs + ((1L << 40) - 1);
}
