using EchoCache.Net.Protocol;

namespace EchoCache.Net.Client;

/// <summary>One reply frame, copied out of the receive buffer.</summary>
public sealed class EchoReply
{
    /// <summary>The outcome.</summary>
    public BinaryStatus Status { get; init; }

    /// <summary>Frame flags (Compressed, More, Tombstone, AbsoluteExpiry).</summary>
    public BinaryFrameFlags Flags { get; init; }

    /// <summary>The item's version (the CAS token), or the version a write stored.</summary>
    public ulong Version { get; init; }

    /// <summary>Client flags stored with the item.</summary>
    public uint ItemFlags { get; init; }

    /// <summary>Expiry as sent: Unix milliseconds when <see cref="Flags"/> has AbsoluteExpiry; 0 = none.</summary>
    public long Expiry { get; init; }

    /// <summary>The key, for replies that carry one (MGET, STATS, SNAPSHOT items).</summary>
    public byte[] Key { get; init; } = [];

    /// <summary>The value (an error's reason for a failed request).</summary>
    public byte[] Value { get; init; } = [];

    /// <summary>Whether the status is Ok.</summary>
    public bool IsOk => Status == BinaryStatus.Ok;
}
