namespace EchoCache.Net.Protocol;

/// <summary>
/// The command of a binary frame (header byte 2). A reply carries its request's opcode. 0x01–0x3F are client
/// commands; 0x40–0x7F are internal commands the orchestrator sends to workers. 0 is never a request, so a zeroed
/// buffer cannot pass for one.
/// </summary>
public enum BinaryOpcode : byte
{
    /// <summary>
    /// Reply only: the server could not read a request's header (wrong magic or version) and closes the connection
    /// after this reply; its status and text say why. Requests still in flight on the connection get no answer.
    /// </summary>
    ConnectionError = 0x00,
    /// <summary>Reads a key.</summary>
    Get = 0x01,
    /// <summary>Stores a value.</summary>
    Set = 0x02,
    /// <summary>Stores a value only if no live item holds the key.</summary>
    Add = 0x03,
    /// <summary>Stores a value only if a live item holds the key.</summary>
    Replace = 0x04,
    /// <summary>Stores a value only if the item's version equals the header's version (compare-and-set).</summary>
    Cas = 0x05,
    /// <summary>Deletes a key (only if its version matches, when the header carries one).</summary>
    Delete = 0x06,
    /// <summary>Adds a signed 64-bit delta to an integer value, creating it at 0 if missing.</summary>
    Increment = 0x07,
    /// <summary>Subtracts a signed 64-bit delta from an integer value, creating it at 0 if missing.</summary>
    Decrement = 0x08,
    /// <summary>Sets or clears a live item's expiry.</summary>
    Touch = 0x09,
    /// <summary>Reads many keys: one reply frame per key, in request order.</summary>
    MultiGet = 0x0A,
    /// <summary>Stores many key/value pairs with one expiry and one set of item flags.</summary>
    MultiSet = 0x0B,
    /// <summary>Echoes its value.</summary>
    Ping = 0x0C,
    /// <summary>Server counters: one reply frame per counter, then an end frame.</summary>
    Stats = 0x0D,
    /// <summary>Authenticates the connection: key = user name (may be empty), value = password.</summary>
    Auth = 0x0E,
    /// <summary>Removes every item.</summary>
    Flush = 0x0F,
    /// <summary>Internal: a replica's set, applied only if the header's version is newer than the one held.</summary>
    ReplicaSet = 0x40,
    /// <summary>Internal: a replica's delete, applied only if newer; leaves a tombstone carrying the version.</summary>
    ReplicaDelete = 0x41,
    /// <summary>Internal: a replica's increment by a signed delta, applied only if newer.</summary>
    ReplicaIncrement = 0x42,
    /// <summary>Internal: a replica's expiry change, applied only if newer.</summary>
    ReplicaTouch = 0x43,
    /// <summary>
    /// Internal: runs one RESP command, carried in the value, the way a RESP client's would run (docs/protocol.md,
    /// "COMMAND"). With a version the command is decided at that version: every key it writes stores it, every key
    /// it removes leaves a tombstone carrying it, and the reply lists each such key's resulting state (an outcome)
    /// after the RESP reply, for the orchestrator to replicate.
    /// </summary>
    Command = 0x44,
    /// <summary>
    /// Internal: runs one binary client request, carried whole in the value, as COMMAND runs a RESP one: decided at
    /// the header's version when it has one, the reply frames of the inner request (with its own request id) and the
    /// outcome of its key following in the value.
    /// </summary>
    BinaryCommand = 0x45,
    /// <summary>
    /// Internal: streams every item and tombstone, as stored, for a partner's resync; or, with a filter (a slot
    /// bitmap as value, a version ceiling, an expiry horizon), only those of some slots (docs/protocol.md, "SNAPSHOT").
    /// </summary>
    Snapshot = 0x48,
    /// <summary>
    /// Internal: liveness and identity of the worker for the orchestrator's health checks; the request's version
    /// acknowledges the eviction notices the orchestrator has handled (docs/protocol.md, "HEALTH").
    /// </summary>
    Health = 0x49,
    /// <summary>
    /// Reply only, never a request: an eviction notice a worker writes, unasked, on an orchestrator's connection
    /// before the reply to the next request it runs (docs/protocol.md, "EVICTED"): key = the evicted key, version =
    /// its item's version, request id = the notice's sequence number. Any status but OK says notices were lost.
    /// </summary>
    Evicted = 0x4A,
    /// <summary>
    /// Internal, the first step of an orchestrator link's handshake (docs/protocol.md, "LINK_CHALLENGE"): value = the
    /// orchestrator's 16-byte nonce; the reply's version is the highest epoch the worker has joined, its value the
    /// worker's nonce followed, when the worker has a cluster secret, by its proof of it.
    /// </summary>
    LinkChallenge = 0x4B,
    /// <summary>
    /// Internal, the second step (docs/protocol.md, "LINK_JOIN"): version = the orchestrator's epoch, value = its proof
    /// of the cluster secret (empty without one). From then on the connection is that orchestrator's link, until a
    /// newer epoch joins the worker.
    /// </summary>
    LinkJoin = 0x4C,
    /// <summary>
    /// Internal: a digest, per slot, of the live items a key filter admits at or below a version, for the orchestrator's
    /// copy check (docs/protocol.md, "DIGEST"): one reply frame once the worker has walked its table.
    /// </summary>
    Digest = 0x4D,
}
