namespace EchoCache.Faults.Linearizability;

/// <summary>The verdict on a whole history: linearizable iff every key's sub-history is.</summary>
public sealed class LinearizabilityResult
{
    internal LinearizabilityResult(History history, IReadOnlyList<KeyCheckResult> keys, TimeSpan elapsed)
    {
        History = history;
        Keys = keys;
        Elapsed = elapsed;
        Failures = [.. keys.Where(k => k.Verdict == LinearizabilityVerdict.NotLinearizable)];
        Verdict = Failures.Count > 0 ? LinearizabilityVerdict.NotLinearizable
            : keys.Any(k => k.Verdict == LinearizabilityVerdict.Unknown) ? LinearizabilityVerdict.Unknown
            : LinearizabilityVerdict.Linearizable;
        Explanation = ExplanationWriter.ForHistory(this);
    }

    /// <summary>The history checked.</summary>
    public History History { get; }

    /// <summary>Not linearizable if any key is not; otherwise unknown if any key is undecided; otherwise linearizable.</summary>
    public LinearizabilityVerdict Verdict { get; }

    /// <summary>The verdict is <see cref="LinearizabilityVerdict.Linearizable"/>.</summary>
    public bool IsLinearizable => Verdict == LinearizabilityVerdict.Linearizable;

    /// <summary>Every register's result — each key's, or a rename-linked group's — in ordinal order of their first key.</summary>
    public IReadOnlyList<KeyCheckResult> Keys { get; }

    /// <summary>The keys that are not linearizable.</summary>
    public IReadOnlyList<KeyCheckResult> Failures { get; }

    /// <summary>Total search steps.</summary>
    public long Steps => Keys.Sum(k => k.Steps);

    /// <summary>How long the check took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>A summary, and for a failure the first failing key's explanation: made to be an assertion message.</summary>
    public string Explanation { get; }

    /// <summary>The result for <paramref name="key"/>: its own, or its group's (by the group's name or any of its keys).</summary>
    public KeyCheckResult this[string key] => Keys.First(k => k.Key == key || k.GroupKeys.Contains(key));

    /// <inheritdoc/>
    public override string ToString() => Explanation;
}
