using EchoCache.Faults.Linearizability;
using System.Globalization;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// The checker against <see cref="BruteForceChecker"/> on thousands of tiny random histories, unknown outcomes
/// included: the same verdict every time, and on failures, the claimed shortest failing prefix really is one.
/// This is what vouches for the search's shortcuts (memoization, bounding and leaving out unknown-outcome writes,
/// settling interchangeable ones in order).
/// </summary>
public sealed class ReferenceAgreementTests
{
    private static readonly string?[] Values = ["a", "b", "c", null];

    private static readonly string[] PlainValues = ["1", "a", "1.5"];

    private static readonly string[] FloatDeltas = ["0.5", "-1", "1e1"];

    [Theory]
    [InlineData(1, RandomHistoryMix.SetsGetsDeletes)]
    [InlineData(2, RandomHistoryMix.Increments)]
    [InlineData(3, RandomHistoryMix.DecidedWrites)]
    [InlineData(4, RandomHistoryMix.DecidedWrites)]
    [InlineData(5, RandomHistoryMix.Renames)]
    [InlineData(6, RandomHistoryMix.Renames)]
    public void The_checker_agrees_with_trying_every_order(int seed, RandomHistoryMix mix)
    {
        var random = new Random(seed);
        int linearizable = 0;
        int violations = 0;
        int longLinearizable = 0;
        for (int round = 0; round < 4000; round++)
        {
            History history = RandomHistory(random, mix);
            bool expected = BruteForceChecker.IsLinearizable(history.Operations);

            LinearizabilityResult result = LinearizabilityChecker.Check(history);

            Assert.True(expected == result.IsLinearizable, $"round {round}: expected {expected}\n{Dump(history)}\n{result.Explanation}");
            if (expected)
            {
                linearizable++;
                longLinearizable += history.Operations.Count >= 4 ? 1 : 0;
                continue;
            }
            violations++;
            KeyCheckResult failure = result.Failures[0];
            Assert.True(ShortestFailingPrefixEndsAt(history, failure), $"round {round}: wrong culprit\n{Dump(history)}\n{result.Explanation}");
        }
        // Both verdicts are common, and so are linearizable histories long enough to need a real search,
        // so the agreement means something.
        Assert.InRange(linearizable, 400, 3600);
        Assert.InRange(violations, 400, 3600);
        Assert.True(longLinearizable >= 200, $"only {longLinearizable} linearizable histories of 4 operations or more");
    }

    /// <summary>
    /// Cut the key's history when the culprit returns (returns at the same instant: in history order): with it
    /// returned, no order works; with it still pending, one does. A pending operation may or may not have taken
    /// effect yet, with the answer it later got (a write: placed or left out; a read: it makes no difference).
    /// </summary>
    private static bool ShortestFailingPrefixEndsAt(History history, KeyCheckResult failure)
    {
        int c = failure.FailedOperation!.Value;
        Operation culprit = history.Operations[c];
        if (culprit.OutcomeUnknown)
        {
            return false;
        }
        List<Operation> before = [];
        List<Operation> with = [];
        for (int i = 0; i < history.Operations.Count; i++)
        {
            Operation op = history.Operations[i];
            if (!failure.GroupKeys.Contains(op.Key) || op.Call > culprit.Return)
            {
                continue;
            }
            bool returned = op.Return < culprit.Return || (op.Return == culprit.Return && i < c);
            Operation pending = op.OutcomeUnknown ? op : op.AsPending();
            if (returned)
            {
                before.Add(op);
                with.Add(op);
            }
            else if (i == c)
            {
                with.Add(op);
                if (op.IsWrite)
                {
                    before.Add(pending);
                }
            }
            else if (op.IsWrite)
            {
                before.Add(pending);
                with.Add(pending);
            }
        }
        return BruteForceChecker.IsLinearizable(before) && !BruteForceChecker.IsLinearizable(with);
    }

    private static History RandomHistory(Random random, RandomHistoryMix mix)
    {
        if (mix is RandomHistoryMix.DecidedWrites or RandomHistoryMix.Renames)
        {
            return RandomDecidedHistory(random, renames: mix == RandomHistoryMix.Renames);
        }
        int count = random.Next(1, 8);
        var ops = new List<Operation>(count);
        for (int i = 0; i < count; i++)
        {
            long call = random.Next(20);
            long ret = call + random.Next(8);
            string key = random.Next(5) == 0 ? "y" : "x";
            bool unknown = random.Next(4) == 0;
            Operation op = (mix == RandomHistoryMix.Increments ? random.Next(5) : random.Next(4)) switch
            {
                0 => Operation.Set(i, key, Values[random.Next(3)]!, call, ret),
                1 => Operation.Delete(i, key, call, ret),
                2 or 3 => Operation.Get(i, key, Values[random.Next(4)], call, ret),
                _ => Operation.Increment(i, key, 1, random.Next(1, 4), call, ret),
            };
            ops.Add(unknown && op.IsWrite ? op.WithUnknownOutcome() : op);
        }
        return new History(ops);
    }

    /// <summary>
    /// Operations of every kind (renames too, if <paramref name="renames"/>) on values that numbers, appends and
    /// float increments turn into one another. Random answers would almost never fit, so each operation takes
    /// effect at a random instant within its interval, on a plain dictionary, and answers what it found there
    /// (a write of unknown outcome takes effect or not); then, in half the histories, one answer is replaced by
    /// another plausible one. So both verdicts are common, at every length.
    /// </summary>
    private static History RandomDecidedHistory(Random random, bool renames)
    {
        string[] keys = renames ? ["{t}:a", "{t}:b", "z"] : ["x", "x", "x", "y"];
        int count = random.Next(1, 8);
        var planned = new List<(Operation Op, long Point, bool Unknown, bool Applied)>(count);
        for (int i = 0; i < count; i++)
        {
            long call = random.Next(20);
            long ret = call + random.Next(8);
            string key = keys[random.Next(keys.Length)];
            Operation op = random.Next(renames ? 14 : 12) switch
            {
                0 => new(i, OperationKind.Set, key, Pick(random, PlainValues), null, call, ret),
                1 or 2 => new(i, OperationKind.Get, key, null, null, call, ret),
                3 => new(i, OperationKind.SetIfAbsent, key, Pick(random, PlainValues), null, call, ret),
                4 => new(i, OperationKind.GetSet, key, Pick(random, PlainValues), null, call, ret),
                5 => new(i, OperationKind.Append, key, "0", null, call, ret),
                6 => new(i, OperationKind.IncrementByFloat, key, Pick(random, FloatDeltas), null, call, ret),
                7 => new(i, OperationKind.Increment, key, "1", null, call, ret),
                8 => new(i, OperationKind.GetDelete, key, null, null, call, ret),
                9 => new(i, OperationKind.CountedDelete, key, null, null, call, ret),
                10 => new(i, OperationKind.Delete, key, null, null, call, ret),
                11 => new(i, OperationKind.Get, key, null, null, call, ret),
                _ => new(i, OperationKind.Rename, key, Pick(random, keys), null, call, ret),
            };
            bool unknown = op.IsWrite && random.Next(4) == 0;
            planned.Add((op, call + random.Next((int)(ret - call) + 1), unknown, !unknown || random.Next(2) == 0));
        }

        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        var ops = new Operation[count];
        foreach (var p in planned.OrderBy(p => p.Point).ThenBy(_ => random.Next()))
        {
            string? answer = p.Applied ? Apply(p.Op, store) : null;
            ops[p.Op.ClientId] = p.Unknown ? p.Op.WithUnknownOutcome() : p.Op with { Output = answer };
        }
        int[] answered = [.. Enumerable.Range(0, count).Where(i => ops[i].AnswerKnown && ops[i].Kind is not (OperationKind.Set or OperationKind.Delete))];
        if (answered.Length > 0 && random.Next(2) == 0)
        {
            int i = answered[random.Next(answered.Length)];
            ops[i] = ops[i] with { Output = OtherAnswer(random, ops[i]) };
        }
        return new History(ops);
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    /// <summary>Another answer the operation's kind could give (maybe the same one).</summary>
    private static string? OtherAnswer(Random random, Operation op) => op.Kind switch
    {
        OperationKind.Get or OperationKind.GetSet or OperationKind.GetDelete => random.Next(4) == 0 ? null : Pick(random, [.. PlainValues, "10", "2"]),
        OperationKind.SetIfAbsent or OperationKind.CountedDelete => op.Output == "1" ? "0" : "1",
        OperationKind.Append => Text(random.Next(1, 5)),
        OperationKind.Increment => random.Next(3) == 0 ? Operation.Rejected : Text(random.Next(1, 12)),
        OperationKind.IncrementByFloat => random.Next(3) == 0 ? Operation.Rejected : Pick(random, ["0.5", "1", "2", "10.5", "-1", "11"]),
        _ => op.Output == Operation.Renamed ? Operation.Rejected : Operation.Renamed,
    };

    /// <summary>Applies a command to a plain dictionary and returns its answer, as Redis defines the commands.</summary>
    private static string? Apply(Operation op, Dictionary<string, string> store)
    {
        string? before = store.GetValueOrDefault(op.Key);
        switch (op.Kind)
        {
            case OperationKind.Get:
                return before;
            case OperationKind.Set:
                store[op.Key] = op.Input!;
                return null;
            case OperationKind.SetIfAbsent:
                store.TryAdd(op.Key, op.Input!);
                return before is null ? "1" : "0";
            case OperationKind.GetSet:
                store[op.Key] = op.Input!;
                return before;
            case OperationKind.Append:
                store[op.Key] = before + op.Input;
                return Text(store[op.Key].Length);
            case OperationKind.IncrementByFloat:
                if (!RedisFloat.TryIncrement(before, op.Input!, out string sum))
                {
                    return Operation.Rejected;
                }
                return store[op.Key] = sum;
            case OperationKind.Increment:
                // The integers these histories make are small, their text canonical unless an append made "10" "100".
                if (!long.TryParse(before ?? "0", NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
                    || (before is not null && before != Text(n)))
                {
                    return Operation.Rejected;
                }
                return store[op.Key] = Text(n + 1);
            case OperationKind.GetDelete:
                store.Remove(op.Key);
                return before;
            case OperationKind.CountedDelete:
                return store.Remove(op.Key) ? "1" : "0";
            case OperationKind.Delete:
                store.Remove(op.Key);
                return null;
            default:
                if (before is null)
                {
                    return Operation.Rejected;
                }
                store.Remove(op.Key);
                store[op.Input!] = before;
                return Operation.Renamed;
        }
    }

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Dump(History history) => string.Join("\n", history.Operations.Select((_, i) => history.Format(i)));
}
