namespace EchoCache.Faults;

/// <summary>What a campaign runs: how many workers, for how long, which faults, how many clients, and where it writes.</summary>
internal sealed record CampaignOptions
{
    /// <summary>Workers behind the orchestrator (2 to 4).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>How long faults are injected; the run takes longer by its start, final reads and checks.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Concurrent clients, alternating RESP and the binary protocol.</summary>
    public int Clients { get; init; } = 6;

    /// <summary>The fault kinds, injected in turn (shuffled by <see cref="Seed"/>).</summary>
    public IReadOnlyList<FaultKind> Faults { get; init; } = FaultNames.All;

    /// <summary>Write-once keys written before the faults begin, so each resync has work to do.</summary>
    public int PreloadKeys { get; init; } = 50_000;

    /// <summary>Seeds the fault order, targets and client choices.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where the Native AOT hosts are (artifacts/aot).</summary>
    public required string Binaries { get; init; }

    /// <summary>The folder the run writes into (created).</summary>
    public required string Output { get; init; }

    /// <summary>Which lab network (0 to 250): runs at the same time need different ones.</summary>
    public int Lab { get; init; } = 1;

    /// <summary>Starts the orchestrator with the test-only switch that lets reads go to a syncing copy: the campaign must flag it.</summary>
    public bool Broken { get; init; }

    /// <summary>Prints the event log as it goes.</summary>
    public bool Echo { get; init; } = true;
}
