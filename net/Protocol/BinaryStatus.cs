namespace EchoCache.Net.Protocol;

/// <summary>The outcome carried by a reply frame (header byte 5). Requests carry 0.</summary>
public enum BinaryStatus : byte
{
    /// <summary>Done (or, for a read, found).</summary>
    Ok = 0x00,
    /// <summary>No live item holds the key.</summary>
    NotFound = 0x01,
    /// <summary>A condition failed: the key exists (ADD), or its version differs from the one given (CAS, DEL).</summary>
    Exists = 0x02,
    /// <summary>A replica write carried a version no newer than the one held; nothing changed.</summary>
    Stale = 0x03,
    /// <summary>A key, value, item or frame is over a limit.</summary>
    TooLarge = 0x04,
    /// <summary>The frame is malformed, or a field is invalid for its opcode.</summary>
    BadRequest = 0x05,
    /// <summary>INCR/DECR on a value that is not a decimal 64-bit integer.</summary>
    NotANumber = 0x06,
    /// <summary>INCR/DECR would overflow a signed 64-bit integer.</summary>
    Overflow = 0x07,
    /// <summary>No live, synced replica can serve the key; retry later.</summary>
    Unavailable = 0x08,
    /// <summary>The server is overloaded or could not free memory for the item; retry later.</summary>
    Busy = 0x09,
    /// <summary>The connection must authenticate (AUTH) before this request; or, as a connection error, it was refused.</summary>
    AuthRequired = 0x0A,
    /// <summary>An unexpected failure inside the server.</summary>
    ServerError = 0x0B,
    /// <summary>
    /// A newer orchestrator has joined the worker (docs/consistency.md, "Epochs"): this link's orchestrator may no
    /// longer read or write there. The reply's version is the worker's epoch. An orchestrator that has lost its
    /// workers this way answers its clients with it too.
    /// </summary>
    Fenced = 0x0C,
    /// <summary>AUTH gave an unknown user or a wrong password; the connection is not authenticated.</summary>
    AuthFailed = 0x0D,
    /// <summary>
    /// The connection may not run this request: a worker that belongs to a cluster serves only its orchestrator's
    /// authenticated links (and a link whose proof of the cluster secret did not match is refused with it).
    /// </summary>
    NotPermitted = 0x0E,
}
