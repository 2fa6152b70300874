namespace EchoCache.Net.Cluster;

/// <summary>
/// A slot whose two copies a <see cref="CopyAudit"/> found different: the live items each copy counted in it and the
/// sum of their hashes do not agree (docs/protocol.md, "DIGEST").
/// </summary>
/// <param name="Slot">The slot, 0..16383.</param>
/// <param name="FirstWorker">The slot's primary: its index in the worker list.</param>
/// <param name="SecondWorker">The slot's partner: its index in the worker list.</param>
/// <param name="FirstCount">Live items of the slot the primary counted.</param>
/// <param name="SecondCount">Live items of the slot the partner counted.</param>
public readonly record struct SlotDifference(int Slot, int FirstWorker, int SecondWorker, uint FirstCount, uint SecondCount)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"slot {Slot}: worker {FirstWorker} holds {FirstCount} items, worker {SecondWorker} holds {SecondCount} (hash sums differ{(FirstCount == SecondCount ? "" : " too")})";
}
