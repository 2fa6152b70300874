namespace EchoCache.Net.Cluster;

/// <summary>How a returning worker rejoins (<see cref="Cluster.PlanRejoin"/>, docs/consistency.md, Resync, step 0).</summary>
internal enum RejoinPlan
{
    /// <summary>Not yet: a partner that is not up may hold a newer copy of a pair than its own.</summary>
    Wait,
    /// <summary>Flushed, then refilled from its partners, every one of which is up.</summary>
    Refill,
    /// <summary>Keeps its data (of some pair it is the newest copy left) and catches up by version from the partners that are up.</summary>
    Keep,
}
