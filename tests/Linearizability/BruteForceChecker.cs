namespace EchoCache.Tests.Linearizability;

/// <summary>
/// The definition of linearizability, checked by trying every order: a reference for tiny histories only.
/// Every completed operation must be placed; a write of unknown outcome may be placed (anywhere after its
/// invocation) or left out; an operation may go next only if no other unplaced completed operation returned
/// strictly before it was invoked.
/// </summary>
internal static class BruteForceChecker
{
    /// <summary>Whether some order explains every answer.</summary>
    public static bool IsLinearizable(IReadOnlyList<Operation> operations) =>
        operations.GroupBy(o => o.Key).All(key => Search([.. key], new bool[key.Count()], null));

    private static bool Search(Operation[] ops, bool[] placed, string? state)
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
            if (placed[i] || !CanGoNext(ops, placed, i) || !Step(ops[i], state, out string? next))
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

    private static bool Step(Operation op, string? state, out string? next)
    {
        next = state;
        switch (op.Kind)
        {
            case OperationKind.Set:
                next = op.Input;
                return true;
            case OperationKind.Delete:
                next = null;
                return true;
            case OperationKind.Get:
                return op.Output == state;
            default:
                if (!long.TryParse(state ?? "0", System.Globalization.CultureInfo.InvariantCulture, out long value))
                {
                    return op.OutcomeUnknown;
                }
                next = (value + long.Parse(op.Input!, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return op.Output is null || op.Output == next;
        }
    }
}
