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

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void The_checker_agrees_with_trying_every_order(int seed, bool increments)
    {
        var random = new Random(seed);
        int linearizable = 0;
        int violations = 0;
        for (int round = 0; round < 4000; round++)
        {
            History history = RandomHistory(random, increments);
            bool expected = BruteForceChecker.IsLinearizable(history.Operations);

            LinearizabilityResult result = LinearizabilityChecker.Check(history);

            Assert.True(expected == result.IsLinearizable, $"round {round}: expected {expected}\n{Dump(history)}\n{result.Explanation}");
            if (expected)
            {
                linearizable++;
                continue;
            }
            violations++;
            KeyCheckResult failure = result.Failures[0];
            Assert.True(ShortestFailingPrefixEndsAt(history, failure), $"round {round}: wrong culprit\n{Dump(history)}\n{result.Explanation}");
        }
        // Both verdicts are common, so the agreement means something.
        Assert.InRange(linearizable, 800, 3200);
        Assert.InRange(violations, 800, 3200);
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
            if (op.Key != failure.Key || op.Call > culprit.Return)
            {
                continue;
            }
            bool returned = op.Return < culprit.Return || (op.Return == culprit.Return && i < c);
            Operation pending = op with { Return = Operation.Never };
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

    private static History RandomHistory(Random random, bool increments)
    {
        int count = random.Next(1, 8);
        var ops = new List<Operation>(count);
        for (int i = 0; i < count; i++)
        {
            long call = random.Next(20);
            long ret = call + random.Next(8);
            string key = random.Next(5) == 0 ? "y" : "x";
            bool unknown = random.Next(4) == 0;
            Operation op = (increments ? random.Next(5) : random.Next(4)) switch
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

    private static string Dump(History history) => string.Join("\n", history.Operations.Select((_, i) => history.Format(i)));
}
