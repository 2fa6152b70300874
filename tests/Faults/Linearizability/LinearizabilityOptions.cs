namespace EchoCache.Faults.Linearizability;

/// <summary>Budgets and presentation of <see cref="LinearizabilityChecker.Check"/>.</summary>
public sealed record LinearizabilityOptions
{
    /// <summary>The defaults.</summary>
    public static LinearizabilityOptions Default { get; } = new();

    /// <summary>
    /// Search steps allowed per key before it gives up with <see cref="LinearizabilityVerdict.Unknown"/>. A step
    /// visits one event; a linearizable history of n operations with a few concurrent clients takes a few n.
    /// </summary>
    public long MaxStepsPerKey { get; init; } = 50_000_000;

    /// <summary>Wall-clock time allowed for the whole check; keys left unchecked are <see cref="LinearizabilityVerdict.Unknown"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// An assumption the test may make, in the history's clock ticks: a write of unknown outcome took effect
    /// within this long after its invocation, or never. Null (the default) assumes nothing: such a write may land
    /// at any later time, which is always safe but leaves it open to the end of the history; a failing search
    /// pays for every open one. Set it only when the system guarantees it (say, the server drops a request
    /// older than its deadline); a wrong bound can turn a legal late write into a false alarm.
    /// </summary>
    public long? UnknownOutcomeHorizon { get; init; }

    /// <summary>How many operations of the longest valid order, and completed just before the culprit, an explanation lists.</summary>
    public int ContextOperations { get; init; } = 6;
}
