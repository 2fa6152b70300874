namespace EchoCache.Faults;

/// <summary>
/// One injected fault, timed on the campaign's clock: when it began, when it was healed, and when the cluster was
/// whole again (every worker up). <see cref="FrontDoorClosed"/> faults cut the clients off the orchestrator, so their
/// window does not count for availability; <see cref="LostCopyFrom"/> marks a fault in which the only copy of a
/// pair's newest writes was killed (<see cref="FaultKind.RestartBehindPartition"/>): writes acknowledged from then
/// until the kill (<see cref="CopyKilledAt"/>) may be gone with it, by design.
/// </summary>
internal sealed class FaultRecord(int round, FaultKind kind, int target)
{
    public int Round { get; } = round;

    public FaultKind Kind { get; } = kind;

    /// <summary>The worker it hit (-1: the orchestrator or the clients).</summary>
    public int Target { get; } = target;

    /// <summary>For <see cref="FaultKind.RestartBehindPartition"/>: the partitioned partner.</summary>
    public int Partner { get; init; } = -1;

    public long Injected { get; set; }

    public long Healed { get; set; }

    public long Recovered { get; set; }

    /// <summary>Recovery did not finish in time.</summary>
    public bool RecoveryTimedOut { get; set; }

    /// <summary>Clients could not reach the orchestrator, or no copy of some slot could serve, from injection to recovery.</summary>
    public bool FrontDoorClosed { get; init; }

    public long LostCopyFrom { get; set; }

    public long CopyKilledAt { get; set; }

    /// <summary>The round of hot keys used from the partition to the kill: nothing said of them is checkable, and they are left out.</summary>
    public int LossRound { get; set; } = -1;

    /// <summary>Some client still had a request of an earlier round in flight when the partition began.</summary>
    public bool Unsettled { get; set; }

    /// <summary>Resyncs the orchestrator logged during this fault's recovery: (worker, items, milliseconds).</summary>
    public List<(string Worker, long Items, double Milliseconds)> Resyncs { get; } = [];
}
