namespace EchoCache.Net.Commands;

/// <summary>
/// How the orchestrator serves a command (docs/consistency.md). A worker ignores it: it runs every command on its
/// own engine.
/// </summary>
public enum ClusterRoute : byte
{
    /// <summary>
    /// Answered by the orchestrator for the connection itself, exactly as a worker answers it: PING, ECHO, HELLO,
    /// AUTH, CLIENT, COMMAND, SELECT, QUIT, TIME (its own clock, as any Redis answers with its own), FUNCTION FLUSH
    /// and HELP (there is no scripting, so no function to flush).
    /// </summary>
    Local,

    /// <summary>The orchestrator's own answer about the cluster: INFO, CONFIG GET.</summary>
    Server,

    /// <summary>
    /// Read from one up copy of the keys' pair (the copy deciding writes of the slot while one is in flight), the
    /// worker's reply passed on as it is.
    /// </summary>
    Read,

    /// <summary>
    /// A plain replicated write: both copies apply it with one version. Its reply does not depend on what the key
    /// held (SET without conditions, SETEX, PSETEX, MSET across pairs).
    /// </summary>
    Write,

    /// <summary>
    /// Read-modify-write: decided on one copy that holds the full state, with a version the orchestrator assigns;
    /// the state of every key it wrote is then replicated to the other copy as a versioned write before the reply.
    /// </summary>
    Decided,

    /// <summary>Every pair of the cluster, each key counted once: DBSIZE, KEYS, SCAN, RANDOMKEY.</summary>
    Keyspace,

    /// <summary>Every copy, as a barrier: FLUSHDB, FLUSHALL.</summary>
    Flush,
}
