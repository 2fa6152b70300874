using System.Globalization;
using System.Text;

namespace EchoCache.Faults.Linearizability;

/// <summary>Turns results into text meant to be read in a failing test's message.</summary>
internal static class ExplanationWriter
{
    private const int MaxOverlapping = 16;

    /// <summary>The summary of a whole check, with the first failing key's explanation.</summary>
    public static string ForHistory(LinearizabilityResult result)
    {
        History history = result.History;
        var text = new StringBuilder();
        string stats = string.Create(CultureInfo.InvariantCulture,
            $"{history}; {result.Steps} search steps in {result.Elapsed.TotalMilliseconds:0} ms");
        switch (result.Verdict)
        {
            case LinearizabilityVerdict.Linearizable:
                text.Append("Linearizable: ").Append(stats).Append('.');
                break;
            case LinearizabilityVerdict.NotLinearizable:
                text.Append("NOT linearizable: key ").Append(Names(result.Failures))
                    .Append(" (").Append(result.Failures.Count).Append(" of ").Append(result.Keys.Count).Append(" keys); ")
                    .Append(stats).AppendLine(".")
                    .AppendLine()
                    .Append(result.Failures[0].Explanation);
                break;
            default:
                KeyCheckResult[] undecided = [.. result.Keys.Where(k => k.Verdict == LinearizabilityVerdict.Unknown)];
                text.Append("UNDECIDED: the search ran out of budget on key ").Append(Names(undecided))
                    .Append("; every other key is linearizable; ").Append(stats).Append('.');
                break;
        }
        return text.ToString();
    }

    /// <summary>One key's explanation.</summary>
    /// <param name="history">The whole history.</param>
    /// <param name="result">The key's result.</param>
    /// <param name="indices">All of the key's operations, as history indices, in history order.</param>
    /// <param name="options">How much context to show.</param>
    public static string ForKey(History history, KeyCheckResult result, IReadOnlyList<int> indices, LinearizabilityOptions options)
    {
        bool group = result.GroupKeys.Count > 1;
        string key = group ? string.Join(" + ", result.GroupKeys.Select(Operation.Quote)) : Operation.Quote(result.Key);
        string subject = group ? $"Keys {key} (one register: renames link them)" : $"Key {key}";
        int unknown = indices.Count(i => history.Operations[i].OutcomeUnknown);
        string counts = string.Create(CultureInfo.InvariantCulture,
            $"{Plural(result.Operations, "operation")}, {Plural(unknown, "write")} of unknown outcome ({result.PrunedUnknownWrites} never observable, left out), {Plural(result.Steps, "search step")}");
        switch (result.Verdict)
        {
            case LinearizabilityVerdict.Linearizable:
                return $"{subject} {(group ? "are" : "is")} linearizable: {counts}.";
            case LinearizabilityVerdict.Unknown:
                return $"{subject} {(group ? "are" : "is")} undecided: the search ran out of its step or time budget ({counts}).";
        }

        int culprit = result.FailedOperation!.Value;
        Operation failed = history.Operations[culprit];
        var text = new StringBuilder();
        IReadOnlyList<string> held = group ? [.. result.PossibleStates.Select(s => $"({s})")] : [.. result.PossibleValues.Select(Operation.Quote)];
        text.Append(subject).Append(group ? " are" : " is").Append(" not linearizable: ").Append(counts).AppendLine(".")
            .AppendLine("Its history is linearizable until this operation returns, and no longer after:")
            .Append("  ").AppendLine(history.Format(culprit))
            .Append("No order of the operations completed by then that respects real time lets it ")
            .Append(failed.Kind == OperationKind.Get ? "return " + Operation.Quote(failed.Output) : "answer as it did")
            .Append(": wherever it could take effect, ").Append(group ? "the keys" : key).Append(" held ")
            .Append(string.Join(" or ", held.Take(10)))
            .AppendLine(held.Count > 10 ? $" (or {held.Count - 10} other {(group ? "states" : "values")})." : ".");

        if (result.LongestValidPrefix.Count > 0)
        {
            int shown = Math.Min(options.ContextOperations, result.LongestValidPrefix.Count);
            int hidden = result.LongestValidPrefix.Count - shown;
            text.Append("A longest valid order before it ends with (oldest first")
                .Append(hidden > 0 ? $"; {Plural(hidden, "earlier operation")} not shown" : "").AppendLine("):");
            foreach (int i in result.LongestValidPrefix.Skip(result.LongestValidPrefix.Count - shown))
            {
                text.Append("  ").AppendLine(history.Format(i));
            }
        }

        text.Append("Operations on ").Append(key).AppendLine(" completed just before it or overlapping it (by invocation; => marks it):");
        foreach (int i in Context(history, indices, culprit, options.ContextOperations))
        {
            text.Append(i == culprit ? "  => " : "     ").AppendLine(history.Format(i));
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>The last few operations that returned before the culprit began, and those overlapping it.</summary>
    private static List<int> Context(History history, IReadOnlyList<int> indices, int culprit, int before)
    {
        Operation x = history.Operations[culprit];
        int[] earlier = [.. indices
            .Where(i => history.Operations[i].Return < x.Call)
            .OrderByDescending(i => history.Operations[i].Return)
            .Take(before)];
        // Unknown-outcome writes overlap everything after them: show only those invoked within this window.
        long windowStart = earlier.Length == 0 ? x.Call : earlier.Min(i => history.Operations[i].Call);
        IEnumerable<int> overlapping = indices
            .Where(i => i != culprit && history.Operations[i].Return >= x.Call && history.Operations[i].Call <= x.Return)
            .Where(i => !history.Operations[i].OutcomeUnknown || history.Operations[i].Call >= windowStart)
            .OrderBy(i => Math.Abs((double)history.Operations[i].Call - x.Call))
            .Take(MaxOverlapping);
        return [.. earlier.Concat(overlapping).Append(culprit)
            .OrderBy(i => history.Operations[i].Call).ThenBy(i => i)];
    }

    private static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    private static string Names(IEnumerable<KeyCheckResult> keys) => string.Join(", ", keys.Select(k => Operation.Quote(k.Key)));
}
