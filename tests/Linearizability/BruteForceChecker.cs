using EchoCache.Faults.Linearizability;
using System.Globalization;
using System.Text;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// The definition of linearizability, checked by trying every order: a reference for tiny histories only.
/// Every completed operation must be placed; a write of unknown outcome may be placed (anywhere after its
/// invocation) or left out; an operation may go next only if no other unplaced completed operation returned
/// strictly before it was invoked. Each answer is checked against a plain dictionary of every key the
/// operations touch (written here from the commands' definitions, apart from <see cref="RegisterModel"/>); a
/// placed operation's answer is checked when it is known (<see cref="Operation.AnswerKnown"/>).
/// </summary>
internal static class BruteForceChecker
{
    /// <summary>Whether some order explains every answer.</summary>
    /// <remarks>
    /// Split by key as the checker does, except that keys a rename links stay together: this split is
    /// <see cref="LinearizabilityChecker"/>'s claim, so it is made here the slow way (any key shared joins two sets).
    /// </remarks>
    public static bool IsLinearizable(IReadOnlyList<Operation> operations)
    {
        var groups = new List<(HashSet<string> Keys, List<Operation> Operations)>();
        foreach (Operation op in operations)
        {
            var keys = new HashSet<string>(op.Keys, StringComparer.Ordinal);
            var joined = (Keys: keys, Operations: new List<Operation> { op });
            foreach (var group in groups.Where(g => g.Keys.Overlaps(keys)).ToList())
            {
                joined.Keys.UnionWith(group.Keys);
                joined.Operations.AddRange(group.Operations);
                groups.Remove(group);
            }
            groups.Add(joined);
        }
        return groups.All(g => Search([.. g.Operations], new bool[g.Operations.Count], new Dictionary<string, string>(StringComparer.Ordinal)));
    }

    private static bool Search(Operation[] ops, bool[] placed, Dictionary<string, string> state)
    {
        bool done = true;
        for (int i = 0; i < ops.Length; i++)
        {
            done &= placed[i] || ops[i].OutcomeUnknown;
        }
        if (done)
        {
            return true;
        }
        for (int i = 0; i < ops.Length; i++)
        {
            if (placed[i] || !CanGoNext(ops, placed, i))
            {
                continue;
            }
            var next = new Dictionary<string, string>(state, StringComparer.Ordinal);
            if (!Step(ops[i], next))
            {
                continue;
            }
            placed[i] = true;
            bool found = Search(ops, placed, next);
            placed[i] = false;
            if (found)
            {
                return true;
            }
        }
        return false;
    }

    private static bool CanGoNext(Operation[] ops, bool[] placed, int candidate)
    {
        for (int j = 0; j < ops.Length; j++)
        {
            if (j != candidate && !placed[j] && ops[j].Return < ops[candidate].Call)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Applies <paramref name="op"/> to <paramref name="store"/>; false if it could not have answered as it did.</summary>
    private static bool Step(Operation op, Dictionary<string, string> store)
    {
        string key = op.Key;
        string? before = store.GetValueOrDefault(key);
        bool check = op.AnswerKnown;
        switch (op.Kind)
        {
            case OperationKind.Get:
                return op.Output == before;
            case OperationKind.Set:
                store[key] = op.Input!;
                return true;
            case OperationKind.Delete:
                store.Remove(key);
                return true;
            case OperationKind.CountedDelete:
                store.Remove(key);
                return !check || op.Output == (before is null ? "0" : "1");
            case OperationKind.GetDelete:
                store.Remove(key);
                return !check || op.Output == before;
            case OperationKind.GetSet:
                store[key] = op.Input!;
                return !check || op.Output == before;
            case OperationKind.SetIfAbsent:
                if (before is null)
                {
                    store[key] = op.Input!;
                }
                return !check || op.Output == (before is null ? "1" : "0");
            case OperationKind.Append:
                store[key] = (before ?? "") + op.Input;
                return !check || op.Output == Encoding.UTF8.GetByteCount(store[key]).ToString(CultureInfo.InvariantCulture);
            case OperationKind.Rename:
                if (before is null)
                {
                    return !check || op.Output == Operation.Rejected;
                }
                store.Remove(key);
                store[op.Input!] = before;
                return !check || op.Output == Operation.Renamed;
            case OperationKind.Increment:
                long delta = long.Parse(op.Input!, CultureInfo.InvariantCulture);
                string text = before ?? "0";
                bool integer = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
                    && value.ToString(CultureInfo.InvariantCulture) == text; // Redis's strict reading: the canonical text only
                if (!integer || (delta > 0 ? value > long.MaxValue - delta : value < long.MinValue - delta))
                {
                    return !check || op.Output == Operation.Rejected;
                }
                store[key] = (value + delta).ToString(CultureInfo.InvariantCulture);
                return !check || op.Output == store[key];
            default:
                if (!RedisFloat.TryIncrement(before, op.Input!, out string sum))
                {
                    return !check || op.Output == Operation.Rejected;
                }
                store[key] = sum;
                return !check || op.Output == sum;
        }
    }
}
