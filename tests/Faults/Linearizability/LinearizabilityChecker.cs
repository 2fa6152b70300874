using System.Diagnostics;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// Checks a <see cref="History"/> of string commands (<see cref="OperationKind"/>: set, get, delete, increment,
/// set-if-absent, getset, append, float increment, getdel, counted delete, rename) against a key-value store:
/// is there one order of all operations, consistent with real time (an operation that returned before
/// another was invoked comes first), in which every answer is the one a single copy would have given?
/// (Herlihy &amp; Wing's linearizability.)
/// </summary>
/// <remarks>
/// <para>Keys are independent registers, so the history is split by key and each sub-history is checked on
/// its own: a history is linearizable iff each key's sub-history is (locality, Herlihy &amp; Wing 1990; the
/// "P-compositionality" of Horn &amp; Kroening, FORTE 2015, which Porcupine uses to partition). That turns one
/// exponential search into several small ones.</para>
/// <para>A rename touches two keys, so neither key alone is an object the history can be split into: the
/// rename's effect on one depends on the other's state. The keys a rename links (transitively: the connected
/// components of the "renamed between" relation) are checked as ONE register whose state is the tuple of their
/// values, every operation on any of them included. That is still a partition into independent objects —
/// every operation touches exactly one group, and the store is the product of the groups — so locality applies
/// unchanged and the verdict is exact, not an approximation: the per-key split is merely the finest partition
/// when no renames occur. Renames within hash-tagged pairs (<c>{t}:a</c>, <c>{t}:b</c>) make one group per tag.
/// A group's state is interned to an int like a single key's value, so the memo cache stays (bitset, int).</para>
/// <para>Per register, <see cref="KeySearch"/> runs Wing &amp; Gong's backtracking search with Lowe's memoization.</para>
/// <para>Writes of unknown outcome "return at infinity" (Porcupine's approach): they may take effect anywhere
/// after their invocation, or — placed after everything else — not at all. Left so, each one stays open to
/// the end of the history, and every one doubles the configurations a failing search must exhaust. So, on
/// single keys of sets, gets and deletes (of every flavour: <see cref="Prepare"/> says which), each is bounded by
/// the answers that could observe its effect: for an unknown set of "v", the answers that read "v" and the ones
/// that saw "some value" (a refused set-if-absent, a delete counting 1); for an unknown delete, the ones that saw
/// "missing" — counting only those that returned after the write began, since an observer comes after it. With
/// no such observer the write is left out: dropping it changes nothing anyone saw, and keeping it, it could go
/// last. Otherwise its return moves in to the latest observer's return: if a linearization puts the write after
/// an operation invoked later than that, no observer can come after the write, so its effect is unseen and it
/// may as well not have happened — which <see cref="KeySearch"/> always allows an unknown write. (An increment,
/// append or rename observes every value and passes it on, so registers with those are left as they are.) A test
/// that can vouch for it may also bound every such write by <see cref="LinearizabilityOptions.UnknownOutcomeHorizon"/>.</para>
/// <para>When a register is not linearizable, the result names the operation whose answer ends the shortest
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

        var results = new List<KeyCheckResult>();
        foreach ((IReadOnlyList<string> keys, List<int> indices) in Partition(history))
        {
            results.Add(CheckRegister(history, keys, indices, options, deadline));
        }
        return new LinearizabilityResult(history, results, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>
    /// The history's independent registers: each key on its own, except that a rename joins its two keys into
    /// one register (and keys joined to either of them, transitively: the connected components of "renamed
    /// between"). In ordinal order of their first key; each with its operations, as history indices in order.
    /// </summary>
    private static List<(IReadOnlyList<string> Keys, List<int> Indices)> Partition(History history)
    {
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Root(string key)
        {
            while (parent[key] != key)
            {
                key = parent[key] = parent[parent[key]];
            }
            return key;
        }
        foreach (string key in history.Keys)
        {
            parent[key] = key;
        }
        foreach (Operation op in history.Operations.Where(o => o.Kind == OperationKind.Rename))
        {
            string a = Root(op.Key), b = Root(op.Input!);
            if (a != b)
            {
                // The smaller key is the root, so a group's root is its first key in ordinal order.
                if (string.CompareOrdinal(a, b) < 0) parent[b] = a;
                else parent[a] = b;
            }
        }
        var groups = new SortedDictionary<string, (List<string> Keys, List<int> Indices)>(StringComparer.Ordinal);
        foreach (string key in history.Keys)
        {
            string root = Root(key);
            if (!groups.TryGetValue(root, out var group))
            {
                groups.Add(root, group = ([], []));
            }
            group.Keys.Add(key);
        }
        for (int i = 0; i < history.Operations.Count; i++)
        {
            groups[Root(history.Operations[i].Key)].Indices.Add(i);
        }
        return [.. groups.Values.Select(g => ((IReadOnlyList<string>)g.Keys, g.Indices))];
    }

    private static KeyCheckResult CheckRegister(History history, IReadOnlyList<string> keys, List<int> indices, LinearizabilityOptions options, long deadline)
    {
        string key = string.Join(" + ", keys);
        (List<int> kept, List<long> returns) = Prepare(history, indices, options.UnknownOutcomeHorizon);
        Operation[] operations = [.. kept.Select(i => history.Operations[i])];
        var search = new KeySearch(operations, returns);
        LinearizabilityVerdict verdict = search.Run(options.MaxStepsPerKey, deadline);
        int pruned = indices.Count - kept.Count;

        KeyCheckResult result;
        if (verdict == LinearizabilityVerdict.NotLinearizable)
        {
            (IReadOnlyList<int> prefix, long prefixSteps) = LongestValidPrefix(search, operations, kept, options, deadline);
            result = new KeyCheckResult(key, keys, verdict, indices.Count, pruned, search.Steps + prefixSteps)
            {
                FailedOperation = kept[search.StuckOperation],
                PossibleValues = search.PossibleValues,
                PossibleStates = search.PossibleStates,
                LongestValidPrefix = prefix,
            };
        }
        else
        {
            result = new KeyCheckResult(key, keys, verdict, indices.Count, pruned, search.Steps)
            {
                Linearization = [.. search.Linearization.Select(local => kept[local])],
            };
        }
        result.Explanation = ExplanationWriter.ForKey(history, result, indices, options);
        return result;
    }

    /// <summary>
    /// The register's operations to search (history indices) and the return time the search gives each: its own,
    /// or for a write of unknown outcome the latest return of an answer that could have observed its effect.
    /// One that nothing could have observed is left out (see remarks).
    /// </summary>
    /// <remarks>
    /// Sound only where every operation that could see a write's effect is counted as an observer of it: on one
    /// key whose operations are sets, gets and deletes of any flavour (Set, Get, Delete, CountedDelete, GetSet,
    /// GetDelete), expires, and set-if-absents with known answers. After an unknown write w, in a linearization that
    /// places w after every observer, the operations up to the next write that overwrites the key regardless
    /// (a set or delete, taking effect) all find w's value: a get, getset or getdel there answered it; a
    /// set-if-absent answered "not stored" if w set a value, "stored" if w deleted; a counted delete answered 1
    /// or 0 the same way, and so did an expire (1 or 0) — each one an observer, so there are none, and w can be
    /// dropped. An expire of unknown outcome changes nothing and is always left out. An append, increment
    /// or rename passes on what it found, and an unknown set-if-absent's effect depends on it: registers with
    /// any of those are left as they are.
    /// </remarks>
    private static (List<int> Kept, List<long> Returns) Prepare(History history, List<int> indices, long? horizon)
    {
        IReadOnlyList<Operation> all = history.Operations;
        long Horizon(Operation op) => horizon is long h && op.OutcomeUnknown && op.Call <= long.MaxValue - h ? op.Call + h : op.Return;
        bool boundable = indices.All(i => all[i].Kind switch
        {
            OperationKind.Set or OperationKind.Get or OperationKind.Delete or OperationKind.CountedDelete
                or OperationKind.GetSet or OperationKind.GetDelete or OperationKind.Expire => true,
            OperationKind.SetIfAbsent => !all[i].OutcomeUnknown,
            _ => false,
        });
        var kept = new List<int>(indices.Count);
        var returns = new List<long>(indices.Count);
        if (!boundable || !indices.Any(i => all[i].OutcomeUnknown))
        {
            kept.AddRange(indices);
            returns.AddRange(indices.Select(i => Horizon(all[i])));
            return (kept, returns);
        }

        // The latest return of an answer that saw each value, "missing", and "some value".
        var lastReadOf = new Dictionary<string, long>(StringComparer.Ordinal);
        long lastSawMissing = long.MinValue;
        long lastSawAnyValue = long.MinValue;
        foreach (int i in indices.Where(i => !all[i].OutcomeUnknown))
        {
            Operation op = all[i];
            switch (op.Kind)
            {
                case OperationKind.Get or OperationKind.GetSet or OperationKind.GetDelete when op.Output is string value:
                    lastReadOf[value] = Math.Max(lastReadOf.GetValueOrDefault(value, long.MinValue), op.Return);
                    break;
                case OperationKind.Get or OperationKind.GetSet or OperationKind.GetDelete:
                    lastSawMissing = Math.Max(lastSawMissing, op.Return);
                    break;
                case OperationKind.Expire:
                    if (op.Output == "1") lastSawAnyValue = Math.Max(lastSawAnyValue, op.Return);
                    else lastSawMissing = Math.Max(lastSawMissing, op.Return);
                    break;
                case OperationKind.SetIfAbsent or OperationKind.CountedDelete:
                    // "stored" and "0 deleted" saw missing; "not stored" and "1 deleted" saw a value.
                    bool sawMissing = (op.Output == "1") == (op.Kind == OperationKind.SetIfAbsent);
                    if (sawMissing) lastSawMissing = Math.Max(lastSawMissing, op.Return);
                    else lastSawAnyValue = Math.Max(lastSawAnyValue, op.Return);
                    break;
            }
        }

        foreach (int i in indices)
        {
            Operation op = all[i];
            if (op.OutcomeUnknown && op.Kind == OperationKind.Expire)
            {
                continue; // changes nothing, answers nothing: no linearization needs it
            }
            long observableUntil = !op.OutcomeUnknown ? op.Return : op.Kind switch
            {
                OperationKind.Set or OperationKind.GetSet => Math.Max(lastReadOf.GetValueOrDefault(op.Input!, long.MinValue), lastSawAnyValue),
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
                op = op.OutcomeUnknown ? op : op.AsPending();
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
