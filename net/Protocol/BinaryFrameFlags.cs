namespace EchoCache.Net.Protocol;

/// <summary>
/// Frame flags (header byte 3). Which flags an opcode allows is listed in docs/protocol.md; a request with any
/// other flag set, reserved bits included, is answered <see cref="BinaryStatus.BadRequest"/>.
/// </summary>
[Flags]
public enum BinaryFrameFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary>
    /// The value is in the engine's compressed form: a u32 little-endian original length, then one LZ4 block.
    /// </summary>
    Compressed = 0x01,
    /// <summary>Request (GET, MGET): the client takes compressed values; without it the server decompresses.</summary>
    AcceptCompressed = 0x02,
    /// <summary>The expiry field is an absolute Unix time in milliseconds rather than a time to live.</summary>
    AbsoluteExpiry = 0x04,
    /// <summary>Request (SET, REPLACE, CAS, REPLICA_SET): keep the expiry of the item being replaced.</summary>
    KeepTtl = 0x08,
    /// <summary>Reply: more reply frames for the same request follow (MGET, STATS, SNAPSHOT).</summary>
    More = 0x10,
    /// <summary>Reply (SNAPSHOT item): the item is a delete marker; its value is empty.</summary>
    Tombstone = 0x20,
    /// <summary>Request (COMMAND): the RESP reply is written in RESP3 (the client said HELLO 3).</summary>
    Resp3 = 0x40,
    /// <summary>
    /// Request (GET, MGET, COMMAND): the expiry field carries the sender's clock, in Unix milliseconds, and the
    /// worker judges expiry by it, so both copies of a key expire it at the same instant of one clock.
    /// </summary>
    SenderClock = 0x80,
}
