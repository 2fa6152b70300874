namespace EchoCache.Faults;

/// <summary>The faults a campaign injects (docs/reliability.md says what each does and how the cluster answers it).</summary>
internal enum FaultKind
{
    /// <summary>kill -9 of a worker, restarted after a while: its resync overlaps the workload.</summary>
    KillWorker,

    /// <summary>SIGSTOP of a worker for longer than the health timeout, then SIGCONT.</summary>
    PauseWorker,

    /// <summary>The orchestrator and one worker cut off from each other, both ways.</summary>
    PartitionWorker,

    /// <summary>One way: the worker receives nothing from the orchestrator; what it sends still arrives.</summary>
    PartitionWorkerInbound,

    /// <summary>One way: what the worker sends to the orchestrator is lost; it still receives.</summary>
    PartitionWorkerOutbound,

    /// <summary>The clients and the orchestrator cut off from each other, both ways.</summary>
    PartitionClients,

    /// <summary>One way: the orchestrator receives nothing from the clients.</summary>
    PartitionClientsInbound,

    /// <summary>kill -9 of the orchestrator under load, restarted with the same command line.</summary>
    KillOrchestrator,

    /// <summary>SIGSTOP of the orchestrator, then SIGCONT.</summary>
    PauseOrchestrator,

    /// <summary>A worker's partner cut off from the orchestrator, then the worker killed and restarted; then the partition healed.</summary>
    RestartBehindPartition,
}
