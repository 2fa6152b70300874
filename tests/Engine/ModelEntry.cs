namespace EchoCache.Tests.Engine;

/// <summary>
/// What the model says a key holds: an item or a tombstone, physically present until the engine would remove it
/// (expired items stay until a read, a local write or a sweep meets them). Version 0 stands for "the new local
/// version the engine assigns", filled in from its answer.
/// </summary>
internal sealed record ModelEntry(byte[] Value, ulong Version, uint Flags, long ExpiresAt, bool Tombstone)
{
    /// <summary>The engine's eviction count when this entry was written: it may vanish only after more evictions.</summary>
    public long EvictionsAtWrite { get; set; }
}
