namespace EchoCache.Engine;

/// <summary>How a write applies and what it stores beside the value.</summary>
public readonly struct WriteOptions
{
    /// <summary>When the write applies.</summary>
    public WriteCondition Condition { get; init; }

    /// <summary>
    /// With <see cref="WriteCondition.IfVersionMatches"/> the version expected; with
    /// <see cref="WriteCondition.IfNewer"/> the version to store. Otherwise unused: the engine assigns one (the
    /// stamp's, under <see cref="CacheEngine.StampVersions"/>).
    /// </summary>
    public ulong Version { get; init; }

    /// <summary>Time to live in milliseconds, relative to the engine clock. 0: no expiry (unless <see cref="ExpiresAtUnixMs"/>).</summary>
    public long TimeToLiveMs { get; init; }

    /// <summary>Absolute expiry in Unix milliseconds. 0: none. Wins over <see cref="TimeToLiveMs"/> when both are set.</summary>
    public long ExpiresAtUnixMs { get; init; }

    /// <summary>Keep the expiry of the item being replaced (SET KEEPTTL).</summary>
    public bool KeepTimeToLive { get; init; }

    /// <summary>Opaque client flags stored with the item (memcached's flags).</summary>
    public uint Flags { get; init; }

    /// <summary>
    /// The value is already in the engine's compressed form (a little-endian u32 original length, then an
    /// LZ4 block), as <see cref="ItemView.StoredValue"/> hands it out: stored as it is, after a check that it decodes.
    /// </summary>
    public bool ValueIsCompressed { get; init; }

    /// <summary>A plain set.</summary>
    public static WriteOptions Default => default;
}
