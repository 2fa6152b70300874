namespace EchoCache.Net.Commands;

/// <summary>
/// The shape of a command's reply, as the orchestrator folds the replies of a command split across replica pairs
/// (one call per key): integers add up, arrays join in key order, a status is sent once every part succeeded.
/// </summary>
public enum ReplyShape : byte
{
    /// <summary>A simple string, usually +OK.</summary>
    Status,

    /// <summary>An integer.</summary>
    Integer,

    /// <summary>A bulk string, or a null.</summary>
    Bulk,

    /// <summary>An array (a map in RESP3 where the command says so).</summary>
    Array,

    /// <summary>Depends on the arguments or the protocol version (HELLO, INFO, COMMAND …).</summary>
    Varies,
}
