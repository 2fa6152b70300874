namespace EchoCache.Net.Protocol;

/// <summary>
/// Constants and limits of the native binary protocol (docs/protocol.md). Every length a peer sends is
/// checked against these caps before any buffer is touched.
/// </summary>
public static class BinaryProtocol
{
    /// <summary>First byte of every request frame. Never starts a RESP request ('*' or an ASCII command letter).</summary>
    public const byte RequestMagic = 0xEC;

    /// <summary>First byte of every reply frame.</summary>
    public const byte ReplyMagic = 0xED;

    /// <summary>The protocol version this codec speaks, carried in the second byte of every frame.</summary>
    public const byte ProtocolVersion = 1;

    /// <summary>Size of the fixed frame header in bytes.</summary>
    public const int HeaderSize = 40;

    /// <summary>Longest key: the engine's limit (a test keeps the two equal; the codec does not depend on the engine).</summary>
    public const int MaxKeyLength = 250;

    /// <summary>
    /// Largest body (key plus value) of one frame: 64 MiB. A header announcing more is refused before a byte of
    /// its body is read, and the connection is closed.
    /// </summary>
    public const int MaxBodyLength = 64 << 20;

    /// <summary>Largest frame: header plus <see cref="MaxBodyLength"/>.</summary>
    public const int MaxFrameLength = HeaderSize + MaxBodyLength;

    /// <summary>Most keys in one MGET, or pairs in one MSET.</summary>
    public const int MaxBatchCount = 16384;

    /// <summary>Size of a batch key's length prefix (MGET and MSET bodies).</summary>
    public const int BatchKeyPrefixSize = 2;

    /// <summary>Size of an MSET pair's prefixes: u16 key length and u32 value length.</summary>
    public const int BatchPairPrefixSize = 6;

    /// <summary>Size of the value of an INCR / DECR / REPLICA_INCR request and of their OK reply: one 64-bit integer.</summary>
    public const int CounterSize = 8;

    /// <summary>Size of the value of a SNAPSHOT end frame: the u64 count of item frames sent.</summary>
    public const int SnapshotEndSize = 8;

    /// <summary>
    /// Whether the first byte a client sent on a new connection opens a binary frame; any other byte means RESP.
    /// </summary>
    public static bool IsBinaryProtocol(byte firstByte) => firstByte == RequestMagic;
}
