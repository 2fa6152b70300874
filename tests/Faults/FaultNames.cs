namespace EchoCache.Faults;

/// <summary>The names faults have on the command line and in reports: kill-worker, partition-worker-in, …</summary>
internal static class FaultNames
{
    private static readonly (FaultKind Kind, string Name)[] Names =
    [
        (FaultKind.KillWorker, "kill-worker"),
        (FaultKind.PauseWorker, "pause-worker"),
        (FaultKind.PartitionWorker, "partition-worker"),
        (FaultKind.PartitionWorkerInbound, "partition-worker-in"),
        (FaultKind.PartitionWorkerOutbound, "partition-worker-out"),
        (FaultKind.PartitionClients, "partition-clients"),
        (FaultKind.PartitionClientsInbound, "partition-clients-in"),
        (FaultKind.KillOrchestrator, "kill-orchestrator"),
        (FaultKind.PauseOrchestrator, "pause-orchestrator"),
        (FaultKind.RestartBehindPartition, "restart-behind-partition"),
    ];

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<FaultKind> All => [.. Names.Select(n => n.Kind)];

    /// <summary>A kind's name.</summary>
    public static string Of(FaultKind kind) => Names.First(n => n.Kind == kind).Name;

    /// <summary>The kind named <paramref name="name"/>.</summary>
    public static bool TryParse(string name, out FaultKind kind)
    {
        foreach ((FaultKind k, string n) in Names)
        {
            if (n == name)
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
