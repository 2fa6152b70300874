namespace EchoCache.Faults.Linearizability;

/// <summary>
/// The verdict on one register's sub-history: one key's, or a group's of keys linked by renames. Operations are
/// named by their index in <see cref="History.Operations"/>.
/// </summary>
public sealed class KeyCheckResult
{
    internal KeyCheckResult(string key, IReadOnlyList<string> groupKeys, LinearizabilityVerdict verdict, int operations, int prunedUnknownWrites, long steps)
    {
        Key = key;
        GroupKeys = groupKeys;
        Verdict = verdict;
        Operations = operations;
        PrunedUnknownWrites = prunedUnknownWrites;
        Steps = steps;
    }

    /// <summary>The key; for a group linked by renames, its keys joined by " + ".</summary>
    public string Key { get; }

    /// <summary>The register's keys, in ordinal order: the key alone, or every key of the group.</summary>
    public IReadOnlyList<string> GroupKeys { get; }

    /// <summary>Linearizable, not, or undecided within the budget.</summary>
    public LinearizabilityVerdict Verdict { get; }

    /// <summary>Operations on the key (on any key of the group).</summary>
    public int Operations { get; }

    /// <summary>Writes of unknown outcome that nothing could have observed, so were left out of the search.</summary>
    public int PrunedUnknownWrites { get; }

    /// <summary>Search steps taken (including the search for the explanation's valid prefix).</summary>
    public long Steps { get; internal set; }

    /// <summary>
    /// When linearizable: a linearization, as history indices in order. Unknown-outcome writes near its end may
    /// equally not have happened; pruned ones are absent.
    /// </summary>
    public IReadOnlyList<int> Linearization { get; internal init; } = [];

    /// <summary>When not linearizable: the operation whose answer ends the shortest non-linearizable prefix.</summary>
    public int? FailedOperation { get; internal init; }

    /// <summary>When not linearizable: the values that operation's key could hold wherever it could take effect.</summary>
    public IReadOnlyList<string?> PossibleValues { get; internal init; } = [];

    /// <summary>When not linearizable: the register's states there, described (for a group: every key's value).</summary>
    public IReadOnlyList<string> PossibleStates { get; internal init; } = [];

    /// <summary>When not linearizable: a linearization of the history just before that operation returned (history indices).</summary>
    public IReadOnlyList<int> LongestValidPrefix { get; internal init; } = [];

    /// <summary>One line when it passed; when not, what went wrong, with the operations around it.</summary>
    public string Explanation { get; internal set; } = "";

    /// <inheritdoc/>
    public override string ToString() => Explanation;
}
