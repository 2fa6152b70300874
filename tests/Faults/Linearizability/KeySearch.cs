using System.Diagnostics;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// Decides whether the operations on one register — one key, or a group of keys linked by renames — are
/// linearizable with respect to <see cref="RegisterModel"/>.
/// </summary>
/// <remarks>
/// <para>This is the algorithm of Wing &amp; Gong ("Testing and verifying concurrent objects", J. Parallel
/// Distrib. Comput. 17, 1993) with the memoization of Lowe ("Testing for linearizability", Concurrency and
/// Computation: Practice and Experience 29(4), 2017), the combination Porcupine (github.com/anishathalye/porcupine)
/// implements. Written from the papers' description; no code is copied.</para>
/// <para>The call and return events sit in one list in time order (<see cref="EntryList"/>). The search walks
/// it from the front. At a call, it tries to linearize that operation next: if the model accepts the answer
/// from the current state, and the resulting (linearized set, state) configuration has not been explored
/// before (<see cref="Configuration"/>), it pushes the choice on a stack, lifts the operation's two events out
/// of the list and starts again from the front. At a return, it has met an operation that finished before
/// any remaining operation could be linearized ahead of it, so the current path is dead: it pops the last
/// choice, splices that operation back and tries the next call after it. The history is linearizable when the
/// list empties (the stack is then a linearization), and not when a return is met with an empty stack.</para>
/// <para>A write of unknown outcome has two ways to be linearized: it took effect, or it did not (a no-op,
/// the same as placing it after everything else). Offering "did not" explicitly lets the search settle such a
/// write early instead of carrying it to the end of the history, and lets the memo cache merge the paths that
/// differ only in how a write nobody observed was settled. Its return event is at infinity or, when the
/// checker could bound the time by which anything could observe its effect, at that bound.</para>
/// <para>Unknown-outcome writes that are interchangeable — same kind, key, input and output, same return bound,
/// like every unknown delete of a key — are settled in invocation order: any linearization can swap which of
/// them settles where (the earlier-invoked one can take the later one's place), so only one order needs
/// exploring. Without this, k such writes open at once multiply the configurations by 2^k instead of k + 1.</para>
/// <para>On failure it also reports the furthest return event any path reached (<see cref="StuckOperation"/>):
/// since the failed search was exhaustive, the history up to just before that return is linearizable and
/// the history up to and including it is not — the shortest non-linearizable prefix, ended by that operation.
/// <see cref="PossibleValues"/> are the register's states on the paths that got stuck there: the values that
/// operation could have seen.</para>
/// </remarks>
internal sealed class KeySearch
{
    private readonly EntryList _list;
    private readonly RegisterModel _model;
    private readonly bool[] _unknown;
    private readonly int[] _settledAfter;  // an unknown write -> the interchangeable one settled before it, or -1

    /// <summary>A search over <paramref name="operations"/>, all on one register: one key, or a group linked by renames.</summary>
    /// <param name="operations">The operations; those with <see cref="Operation.OutcomeUnknown"/> may also not take effect.</param>
    /// <param name="returns">The return time the search uses for each operation (a bound for unknown outcomes),
    /// or null for their own <see cref="Operation.Return"/>.</param>
    public KeySearch(IReadOnlyList<Operation> operations, IReadOnlyList<long>? returns = null)
    {
        _list = new EntryList([.. operations.Select(o => o.Call)], returns ?? [.. operations.Select(o => o.Return)]);
        _model = new RegisterModel(operations);
        _unknown = [.. operations.Select(o => o.OutcomeUnknown)];
        _settledAfter = new int[operations.Count];
        var lastOfClass = new Dictionary<(OperationKind, string, string?, string?, bool, long), int>();
        foreach (int i in Enumerable.Range(0, operations.Count).Where(i => _unknown[i]).OrderBy(i => operations[i].Call).ThenBy(i => i))
        {
            Operation op = operations[i];
            var interchangeable = (op.Kind, op.Key, op.Input, op.Output, op.Pending, returns?[i] ?? op.Return);
            _settledAfter[i] = lastOfClass.GetValueOrDefault(interchangeable, -1);
            lastOfClass[interchangeable] = i;
        }
    }

    /// <summary>Steps taken (events visited and choices revisited).</summary>
    public long Steps { get; private set; }

    /// <summary>When linearizable: the operations (local indices) that took effect, in linearization order.</summary>
    public IReadOnlyList<int> Linearization { get; private set; } = [];

    /// <summary>When not linearizable: the operation whose return ends the shortest non-linearizable prefix.</summary>
    public int StuckOperation { get; private set; } = -1;

    /// <summary>When not linearizable: the rank of that return event in time (see <see cref="EntryList"/>).</summary>
    public int StuckRank { get; private set; }

    /// <summary>When not linearizable: the values that operation's key could hold wherever it could take effect.</summary>
    public IReadOnlyList<string?> PossibleValues { get; private set; } = [];

    /// <summary>When not linearizable: the register's states there, as <see cref="RegisterModel.Describe"/> shows them.</summary>
    public IReadOnlyList<string> PossibleStates { get; private set; } = [];

    /// <summary>The register's keys (one, or a group linked by renames).</summary>
    public IReadOnlyList<string> Keys => _model.Keys;

    /// <summary>The events, for the caller to cut prefixes by rank.</summary>
    public EntryList Events => _list;

    /// <summary>Runs the search until it decides, or <paramref name="maxSteps"/> or <paramref name="deadline"/> (a Stopwatch timestamp) pass.</summary>
    public LinearizabilityVerdict Run(long maxSteps, long deadline)
    {
        var linearized = new OperationSet(_unknown.Length);
        var explored = new HashSet<Configuration>();
        var choices = new List<(int CallNode, int StateBefore, bool Skipped)>();
        int state = RegisterModel.Missing;
        int deepest = 0;
        var statesAtDeepest = new HashSet<int>();

        // Linearizes the operation of callNode next, leaving the register in `next`, unless that configuration was explored.
        bool TryChoose(int callNode, int next, bool skipped)
        {
            int op = _list.OperationOf(callNode);
            linearized.Add(op);
            if (explored.Contains(new Configuration(linearized.Live, linearized.Hash, next)))
            {
                linearized.Remove(op);
                return false;
            }
            explored.Add(new Configuration(linearized.Snapshot(), linearized.Hash, next));
            choices.Add((callNode, state, skipped));
            state = next;
            return true;
        }

        int entry = _list.First;
        while (!_list.IsEmpty)
        {
            Steps++;
            if (Steps > maxSteps || ((Steps & 4095) == 0 && Stopwatch.GetTimestamp() > deadline))
            {
                return LinearizabilityVerdict.Unknown;
            }

            if (_list.IsCall(entry))
            {
                int op = _list.OperationOf(entry);
                bool inTurn = !_unknown[op] || _settledAfter[op] < 0 || linearized.Contains(_settledAfter[op]);
                if (inTurn
                    && ((_model.TryStep(state, op, out int next) && TryChoose(entry, next, skipped: false))
                        || (_unknown[op] && TryChoose(entry, state, skipped: true))))
                {
                    _list.Lift(entry);
                    entry = _list.First;
                }
                else
                {
                    entry = _list.Next(entry);
                }
                continue;
            }

            // A return: this operation had to be linearized by now and was not. Remember how far we got.
            if (entry >= deepest)
            {
                if (entry > deepest)
                {
                    deepest = entry;
                    statesAtDeepest.Clear();
                }
                statesAtDeepest.Add(state);
            }
            if (choices.Count == 0)
            {
                StuckRank = deepest;
                StuckOperation = _list.OperationOf(deepest);
                int key = _model.KeyOf(StuckOperation);
                PossibleValues = [.. statesAtDeepest
                    .Select(s => (Id: _model.ValueIdIn(s, key), Value: _model.ValueOf(s, key)))
                    .DistinctBy(v => v.Id).OrderBy(v => v.Id).Select(v => v.Value)];
                PossibleStates = [.. statesAtDeepest.Order().Select(_model.Describe)];
                return LinearizabilityVerdict.NotLinearizable;
            }
            (int callNode, int stateBefore, bool skipped) = choices[^1];
            choices.RemoveAt(choices.Count - 1);
            int undone = _list.OperationOf(callNode);
            linearized.Remove(undone);
            state = stateBefore;
            if (_unknown[undone] && !skipped && TryChoose(callNode, state, skipped: true))
            {
                // It took effect here and that failed: try it not taking effect (it stays lifted).
                entry = _list.First;
                continue;
            }
            _list.Unlift(callNode);
            entry = _list.Next(callNode);
        }

        Linearization = [.. choices.Where(c => !c.Skipped).Select(c => _list.OperationOf(c.CallNode))];
        return LinearizabilityVerdict.Linearizable;
    }
}
