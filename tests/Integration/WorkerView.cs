namespace EchoCache.Tests.Integration;

/// <summary>
/// One worker as the orchestrator's INFO shows it: the state it holds the worker in (up, syncing, returning, down) and
/// the instance id of the worker process it last heard from (0 before any; a restarted worker has a new one).
/// </summary>
public readonly record struct WorkerView(string State, ulong Instance)
{
    /// <summary>Up, serving reads, as the process <paramref name="instance"/>.</summary>
    public bool IsUpAs(ulong instance) => State == "up" && Instance == instance;

    public override string ToString() => $"{State} (instance {Instance:x16})";
}
