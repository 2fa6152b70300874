using System.Diagnostics;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// Checks a <see cref="History"/> of set/get/delete/increment operations against a key-value register:
/// is there one order of all operations, consistent with real time (an operation that returned before
/// another was invoked comes first), in which every answer is the one a single copy would have given?
/// (Herlihy &amp; Wing's linearizability.)
/// </summary>
/// <remarks>
/// <para>Keys are independent registers, so the history is split by key and each sub-history is checked on
/// its own: a history is linearizable iff each key's sub-history is (locality, Herlihy &amp; Wing 1990; the
/// "P-compositionality" of Horn &amp; Kroening, FORTE 2015, which Porcupine uses to partition). That turns one
/// exponential search into several small ones.</para>
/// <para>Per key, <see cref="KeySearch"/> runs Wing &amp; Gong's backtracking search with Lowe's memoization.</para>
/// <para>Writes of unknown outcome "return at infinity" (Porcupine's approach): they may take effect anywhere
/// after their invocation, or — placed after everything else — not at all. Left so, each one stays open to
/// the end of the history, and every one doubles the configurations a failing search must exhaust. So, on
/// keys without increments, each is bounded by the answers that could observe its effect: for an unknown set
/// of "v", the gets that returned "v"; for an unknown delete, the gets that returned "missing" — counting
/// only those that returned after the write began, since an observer comes after it. With no such observer
/// the write is left out: dropping it changes nothing anyone saw, and keeping it, it could go last. Otherwise its return moves in to the latest observer's return: if a linearization puts the
/// write after an operation invoked later than that, no observer can come after the write, so its effect is
/// unseen and it may as well not have happened — which <see cref="KeySearch"/> always allows an unknown write.
/// (An increment observes every value and passes it on, so keys with increments are left as they are.) A test
/// that can vouch for it may also bound every such write by <see cref="LinearizabilityOptions.UnknownOutcomeHorizon"/>.</para>
/// <para>When a key is not linearizable, the result names the operation whose answer ends the shortest
/// non-linearizable prefix, the values it could have seen, a longest valid order before it, and the
/// operations around it. A step and time budget turns a search that would take too long into
/// <see cref="LinearizabilityVerdict.Unknown"/> rather than a hang.</para>
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Checks <paramref name="history"/>; never throws for a non-linearizable one.</summary>
    public static LinearizabilityResult Check(History history, LinearizabilityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= LinearizabilityOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(options.UnknownOutcomeHorizon ?? 0, nameof(options));
        long start = Stopwatch.GetTimestamp();
        long deadline = options.Timeout >= TimeSpan.FromDays(1)
            ? long.MaxValue
            : start + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency);

        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < history.Operations.Count; i++)
        {
            string key = history.Operations[i].Key;
            if (!byKey.TryGetValue(key, out List<int>? indices))
            {
                byKey.Add(key, indices = []);
            }
            indices.Add(i);
        }

        var results = new List<KeyCheckResult>(history.Keys.Count);
        foreach (string key in history.Keys)
        {
            results.Add(CheckKey(history, key, byKey[key], options, deadline));
        }
        return new LinearizabilityResult(history, results, Stopwatch.GetElapsedTime(start));
    }

    private static KeyCheckResult CheckKey(History history, string key, List<int> indices, LinearizabilityOptions options, long deadline)
    {
        (List<int> kept, List<long> returns) = Prepare(history, indices, options.UnknownOutcomeHorizon);
        Operation[] operations = [.. kept.Select(i => history.Operations[i])];
        var search = new KeySearch(operations, returns);
        LinearizabilityVerdict verdict = search.Run(options.MaxStepsPerKey, deadline);
        int pruned = indices.Count - kept.Count;

        KeyCheckResult result;
        if (verdict == LinearizabilityVerdict.NotLinearizable)
        {
            (IReadOnlyList<int> prefix, long prefixSteps) = LongestValidPrefix(search, operations, kept, options, deadline);
            result = new KeyCheckResult(key, verdict, indices.Count, pruned, search.Steps + prefixSteps)
            {
                FailedOperation = kept[search.StuckOperation],
                PossibleValues = search.PossibleValues,
                LongestValidPrefix = prefix,
            };
        }
        else
        {
            result = new KeyCheckResult(key, verdict, indices.Count, pruned, search.Steps)
            {
                Linearization = [.. search.Linearization.Select(local => kept[local])],
            };
        }
        result.Explanation = ExplanationWriter.ForKey(history, result, indices, options);
        return result;
    }

    /// <summary>
    /// The key's operations to search (history indices) and the return time the search gives each: its own,
    /// or for a write of unknown outcome the latest return of an answer that could have observed its effect.
    /// One that nothing could have observed is left out (see remarks).
    /// </summary>
    private static (List<int> Kept, List<long> Returns) Prepare(History history, List<int> indices, long? horizon)
    {
        IReadOnlyList<Operation> all = history.Operations;
        long Horizon(Operation op) => horizon is long h && op.OutcomeUnknown && op.Call <= long.MaxValue - h ? op.Call + h : op.Return;
        bool increments = indices.Any(i => all[i].Kind == OperationKind.Increment);
        var kept = new List<int>(indices.Count);
        var returns = new List<long>(indices.Count);
        if (increments || !indices.Any(i => all[i].OutcomeUnknown))
        {
            // An increment observes (and passes on) every value: nothing more can be bounded.
            kept.AddRange(indices);
            returns.AddRange(indices.Select(i => Horizon(all[i])));
            return (kept, returns);
        }

        // The latest return of a get that answered each value, and "missing".
        var lastReadOf = new Dictionary<string, long>(StringComparer.Ordinal);
        long lastSawMissing = long.MinValue;
        foreach (int i in indices.Where(i => all[i].Kind == OperationKind.Get))
        {
            if (all[i].Output is string value)
            {
                lastReadOf[value] = Math.Max(lastReadOf.GetValueOrDefault(value, long.MinValue), all[i].Return);
            }
            else
            {
                lastSawMissing = Math.Max(lastSawMissing, all[i].Return);
            }
        }

        foreach (int i in indices)
        {
            Operation op = all[i];
            long observableUntil = !op.OutcomeUnknown ? op.Return : op.Kind switch
            {
                OperationKind.Set => lastReadOf.GetValueOrDefault(op.Input!, long.MinValue),
                _ => lastSawMissing,
            };
            // An observer is linearized after the write, so it cannot have returned before the write began.
            if (observableUntil >= op.Call)
            {
                kept.Add(i);
                returns.Add(Math.Min(observableUntil, Horizon(op)));
            }
        }
        return (kept, returns);
    }

    /// <summary>
    /// A linearization of the key's history as it stood just before the culprit returned: operations invoked
    /// before that moment; those not yet returned (the culprit among them) may or may not have taken effect by
    /// then, with the answer they later got — writes keep their output and lose their return time, reads drop
    /// out (an optional read changes nothing). The failed search proved this prefix linearizable.
    /// </summary>
    private static (IReadOnlyList<int> Order, long Steps) LongestValidPrefix(
        KeySearch failed, Operation[] operations, List<int> kept, LinearizabilityOptions options, long deadline)
    {
        EntryList events = failed.Events;
        var locals = new List<int>();
        var prefix = new List<Operation>();
        for (int local = 0; local < operations.Length; local++)
        {
            if (events.CallNodeOf(local) > failed.StuckRank)
            {
                continue;
            }
            Operation op = operations[local];
            if (events.ReturnNodeOf(local) >= failed.StuckRank)
            {
                if (op.Kind == OperationKind.Get)
                {
                    continue;
                }
                op = op with { Return = Operation.Never };
            }
            locals.Add(local);
            prefix.Add(op);
        }
        var search = new KeySearch(prefix);
        LinearizabilityVerdict verdict = search.Run(options.MaxStepsPerKey, deadline);
        IReadOnlyList<int> order = verdict == LinearizabilityVerdict.Linearizable
            ? [.. search.Linearization.Select(p => kept[locals[p]])]
            : [];
        return (order, search.Steps);
    }
}
