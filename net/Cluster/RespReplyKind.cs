namespace EchoCache.Net.Cluster;

/// <summary>How the orchestrator's RESP session turns a cluster call's outcome into a RESP reply.</summary>
internal enum RespReplyKind
{
    /// <summary>The entry's bytes were written already (PING, errors found while parsing).</summary>
    Literal,
    /// <summary>GET: the value as a bulk string, or a null bulk when not found.</summary>
    Bulk,
    /// <summary>SET: +OK.</summary>
    Ok,
    /// <summary>DEL, EXISTS: :1 when the key was there, :0 when not.</summary>
    Found,
    /// <summary>INCR and friends: the new value as an integer.</summary>
    Counter,
    /// <summary>TTL: seconds left, -1 without expiry, -2 when the key is missing.</summary>
    Ttl,
    /// <summary>PTTL: milliseconds left, -1 without expiry, -2 when the key is missing.</summary>
    Pttl,
    /// <summary>
    /// Head of a multi-key DEL, UNLINK or EXISTS (<see cref="ReplyQueue.ReserveGroup"/>): the keys found, as an
    /// integer. Its members write nothing of their own.
    /// </summary>
    CountTotal,
    /// <summary>Head of MSET: +OK once every key is written.</summary>
    OkTotal,
    /// <summary>Head of KEYS over several pairs: the members' arrays joined into one.</summary>
    ArrayJoin,
    /// <summary>Head of RANDOMKEY over several pairs: one of the members' keys, or a null when every pair is empty.</summary>
    AnyBulk,
    /// <summary>
    /// SCAN over several pairs: the worker's reply, its cursor rewritten to carry the pair (<see cref="ReplyEntry.GroupSum"/>)
    /// it walks, or the next pair's start once that pair is done.
    /// </summary>
    ScanCursor,
}
