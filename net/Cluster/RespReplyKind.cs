namespace EchoCache.Net.Cluster;

/// <summary>How the orchestrator's RESP session turns a cluster call's outcome into a RESP reply.</summary>
internal enum RespReplyKind
{
    /// <summary>The reply as given: a forwarded command's (the worker's RESP reply), or the orchestrator's own.</summary>
    Literal,
    /// <summary>GET: the value as a bulk string, or a null bulk when not found.</summary>
    Bulk,
    /// <summary>SET, FLUSHALL: +OK.</summary>
    Ok,
    /// <summary>
    /// Head of a multi-key DEL, UNLINK, EXISTS or TOUCH across pairs, or of DBSIZE over several pairs
    /// (<see cref="ReplyQueue.ReserveGroup"/>): its members' integer replies added up. Members write nothing of their own.
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
