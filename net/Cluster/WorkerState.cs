namespace EchoCache.Net.Cluster;

/// <summary>What the orchestrator lets a worker do (docs/consistency.md).</summary>
public enum WorkerState
{
    /// <summary>Unreachable, or failed a write: serves nothing until it is back and resynced.</summary>
    Down = 0,
    /// <summary>Back, being refilled: takes every write, serves no read.</summary>
    Syncing = 1,
    /// <summary>Fully synced: takes writes and serves reads.</summary>
    Up = 2,
    /// <summary>Reachable again and being flushed before its resync: takes no write and serves no read yet.</summary>
    Returning = 3,
}
