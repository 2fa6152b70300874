namespace EchoCache.Engine;

/// <summary>The outcome of an engine operation. Errors are values, never exceptions, on every data path.</summary>
public enum CacheStatus : byte
{
    /// <summary>The operation was applied (or, for a read, the item was found).</summary>
    Ok = 0,
    /// <summary>No live item holds the key.</summary>
    NotFound,
    /// <summary>A condition failed: the key exists (add / NX), or its version differs from the one expected (CAS).</summary>
    Exists,
    /// <summary>A versioned replica write carried a version no newer than the one held; nothing changed.</summary>
    Stale,
    /// <summary>The key is empty or longer than <see cref="EngineLimits.MaxKeyLength"/>.</summary>
    KeyTooLarge,
    /// <summary>The item does not fit the largest slab class, even compressed.</summary>
    ValueTooLarge,
    /// <summary>A time to live or expiry time is negative or out of range.</summary>
    InvalidExpiry,
    /// <summary>An increment hit a value that is not a 64-bit integer.</summary>
    NotANumber,
    /// <summary>An increment would overflow a signed 64-bit integer.</summary>
    Overflow,
    /// <summary>A value handed in as compressed does not decode to its stated length.</summary>
    CorruptValue,
    /// <summary>No memory could be freed for the item (every candidate was busy); the store is unchanged.</summary>
    OutOfMemory,
}
