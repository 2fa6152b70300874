using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Linearizability;

/// <summary>The shape of a <see cref="SimulatedCluster"/> run.</summary>
internal sealed record SimulationOptions
{
    /// <summary>Seeds every random choice: the same options give the same history.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Clients issuing operations concurrently (each one at a time, except after a timeout).</summary>
    public int Clients { get; init; } = 4;

    /// <summary>Keys "k0".."kN-1" that sets, gets and deletes pick from.</summary>
    public int Keys { get; init; } = 2;

    /// <summary>Operations issued in all.</summary>
    public int Operations { get; init; } = 1000;

    /// <summary>
    /// The broken store: gets read either copy at random, so a get can see the secondary's old value while a
    /// write is in flight. Otherwise gets read the primary, and the store is linearizable.
    /// </summary>
    public bool ReadEitherReplica { get; init; }

    /// <summary>Most ticks a write takes to reach the secondary after the primary (at least 1).</summary>
    public int ReplicationLag { get; init; } = 60;

    /// <summary>Share of operations that fail: lost requests, lost replies (applied, maybe late), "unavailable".</summary>
    public double FailureRate { get; init; }

    /// <summary>A quarter of the operations go to a counter key "n" (increment or get).</summary>
    public bool Increments { get; init; }

    /// <summary>
    /// Clients use every command kind (sets, gets, set-if-absent, getset, append, increment, float increment, getdel,
    /// counted delete, rename) on <see cref="Keys"/> hash-tagged pairs "{gN}:a", "{gN}:b", renames within a pair.
    /// The primary decides each command (its answer and the values it leaves) and the values are copied to the
    /// secondary, as the orchestrator decides read-modify-write commands once and replicates the outcome.
    /// </summary>
    public bool DecidedWrites { get; init; }

    /// <summary>
    /// The broken store for <see cref="DecidedWrites"/>: a command is decided on either copy at random, so it can
    /// act on the secondary's old value while a write is still being copied (two SET NX both storing, an append
    /// or increment losing another). Otherwise the primary decides, and the store is linearizable.
    /// </summary>
    public bool DecideOnEitherReplica { get; init; }
}
