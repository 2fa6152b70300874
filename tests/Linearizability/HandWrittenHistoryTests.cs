using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Linearizability;

/// <summary>Small histories whose verdict can be worked out by hand. Times are abstract units.</summary>
public sealed class HandWrittenHistoryTests
{
    private static LinearizabilityResult Check(params Operation[] operations) =>
        LinearizabilityChecker.Check(History.Of(operations));

    [Fact]
    public void An_empty_history_is_linearizable()
    {
        LinearizabilityResult result = Check();

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Empty(result.Keys);
    }

    [Fact]
    public void A_sequential_history_that_follows_the_register_is_linearizable()
    {
        LinearizabilityResult result = Check(
            Operation.Get(0, "x", null, 0, 1),
            Operation.Set(0, "x", "a", 2, 3),
            Operation.Get(1, "x", "a", 4, 5),
            Operation.Set(1, "x", "b", 6, 7),
            Operation.Get(0, "x", "b", 8, 9),
            Operation.Delete(0, "x", 10, 11),
            Operation.Get(1, "x", null, 12, 13),
            Operation.Delete(1, "x", 14, 15),
            Operation.Increment(0, "x", 5, 5, 16, 17),
            Operation.Increment(1, "x", -2, 3, 18, 19),
            Operation.Get(0, "x", "3", 20, 21));

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Equal(Enumerable.Range(0, 11), result["x"].Linearization);
    }

    [Fact]
    public void A_sequential_history_with_one_wrong_read_is_not_linearizable()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.Set(0, "x", "b", 2, 3),
            Operation.Get(0, "x", "a", 4, 5));

        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Equal(2, result["x"].FailedOperation);
        Assert.Equal(["b"], result["x"].PossibleValues);
    }

    [Fact]
    public void Overlapping_writes_and_reads_are_linearizable_in_an_order_that_is_not_invocation_order()
    {
        // a: set 1 is invoked first but must take effect after set 2 and after the read that saw 2.
        //   set 1   [0 ........................ 50]
        //   set 2      [5 .. 15]
        //   get -> missing [1..3]   (before both writes)
        //   get -> 2             [20..30]
        //   get -> 1                              [60..70]
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "1", 0, 50),
            Operation.Get(2, "x", null, 1, 3),
            Operation.Set(1, "x", "2", 5, 15),
            Operation.Get(2, "x", "2", 20, 30),
            Operation.Get(1, "x", "1", 60, 70));

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Equal([1, 2, 3, 0, 4], result["x"].Linearization);
    }

    [Fact]
    public void Reads_during_a_long_write_may_flip_to_the_new_value_once_but_not_back()
    {
        // Two reads inside a write's interval: old then new is fine...
        LinearizabilityResult fine = Check(
            Operation.Set(0, "x", "old", 0, 1),
            Operation.Set(0, "x", "new", 10, 100),
            Operation.Get(1, "x", "old", 20, 30),
            Operation.Get(2, "x", "new", 40, 50),
            Operation.Get(1, "x", "new", 60, 70));
        Assert.True(fine.IsLinearizable, fine.Explanation);

        // ...new then old is not, even though the write has not returned yet.
        LinearizabilityResult flipped = Check(
            Operation.Set(0, "x", "old", 0, 1),
            Operation.Set(0, "x", "new", 10, 100),
            Operation.Get(1, "x", "new", 20, 30),
            Operation.Get(2, "x", "old", 40, 50));
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, flipped.Verdict);
        Assert.Equal(3, flipped["x"].FailedOperation);
    }

    [Fact]
    public void A_stale_read_after_a_later_write_returned_and_another_read_saw_it_is_caught_and_explained()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "balance", "100", 0, 10),
            Operation.Set(0, "balance", "250", 20, 30),  // returned at 30
            Operation.Get(1, "balance", "250", 35, 45),  // someone saw the new value
            Operation.Get(2, "balance", "100", 50, 60),  // stale: the old value, after both
            Operation.Set(3, "other", "z", 0, 100),
            Operation.Get(3, "other", "z", 101, 102));

        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.False(result.IsLinearizable);
        KeyCheckResult balance = Assert.Single(result.Failures);
        Assert.Equal("balance", balance.Key);
        Assert.Equal(LinearizabilityVerdict.Linearizable, result["other"].Verdict);
        Assert.Equal(3, balance.FailedOperation);
        Assert.Equal(["250"], balance.PossibleValues);
        Assert.Equal([0, 1, 2], balance.LongestValidPrefix);

        string message = result.Explanation;
        Assert.Contains("NOT linearizable", message, StringComparison.Ordinal);
        Assert.Contains("Key \"balance\" is not linearizable", message, StringComparison.Ordinal);
        Assert.Contains("#3 client 2 get \"balance\" -> \"100\"  [50 .. 60]", message, StringComparison.Ordinal);
        Assert.Contains("lets it return \"100\": wherever it could take effect, \"balance\" held \"250\"", message, StringComparison.Ordinal);
        Assert.Contains("#1 client 0 set \"balance\" = \"250\"  [20 .. 30]", message, StringComparison.Ordinal);
        Assert.Contains("#2 client 1 get \"balance\" -> \"250\"  [35 .. 45]", message, StringComparison.Ordinal);
        Assert.Contains("=> #3", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_of_a_value_never_written_is_not_linearizable()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "a", 0, 10),
            Operation.Set(1, "x", "b", 5, 15),
            Operation.Get(2, "x", "c", 3, 20));

        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Equal(2, result["x"].FailedOperation);
        Assert.Contains("return \"c\"", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_of_a_deleted_value_after_the_delete_returned_is_not_linearizable()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "a", 0, 10),
            Operation.Delete(0, "x", 20, 30),
            Operation.Get(1, "x", "a", 40, 50));

        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Equal(2, result["x"].FailedOperation);
        Assert.Equal([null], result["x"].PossibleValues);
        Assert.Contains("held missing", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_concurrent_with_a_delete_may_see_the_value_or_missing()
    {
        Assert.True(Check(
            Operation.Set(0, "x", "a", 0, 10),
            Operation.Delete(0, "x", 20, 30),
            Operation.Get(1, "x", "a", 25, 35),
            Operation.Get(2, "x", null, 22, 28)).IsLinearizable);
    }

    [Fact]
    public void Concurrent_increments_are_linearizable_in_either_order_but_a_lost_update_is_not()
    {
        Assert.True(Check(
            Operation.Increment(0, "n", 1, 2, 0, 10),
            Operation.Increment(1, "n", 1, 1, 1, 11),
            Operation.Get(2, "n", "2", 12, 13)).IsLinearizable);

        LinearizabilityResult lost = Check(
            Operation.Increment(0, "n", 1, 1, 0, 10),
            Operation.Increment(1, "n", 1, 1, 1, 11));
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, lost.Verdict);
    }

    [Fact]
    public void An_unknown_outcome_write_explains_a_read_of_its_value()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "1", 0, 10),
            Operation.UnknownSet(0, "x", "2", 20),
            Operation.Get(1, "x", "2", 30, 40),
            Operation.Get(1, "x", "2", 50, 60));

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Equal([0, 1, 2, 3], result["x"].Linearization);
        Assert.Equal(0, result["x"].PrunedUnknownWrites);
    }

    [Fact]
    public void An_unknown_outcome_write_that_nobody_saw_may_never_have_happened()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "1", 0, 10),
            Operation.UnknownSet(0, "x", "2", 20),
            Operation.UnknownDelete(2, "x", 25),
            Operation.Get(1, "x", "1", 30, 40),
            Operation.Get(1, "x", "1", 50, 60));

        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Equal(2, result["x"].PrunedUnknownWrites);
    }

    [Fact]
    public void An_unknown_outcome_write_may_take_effect_late_but_not_before_it_was_invoked_nor_be_undone()
    {
        // Seen late: fine, it may land long after the client gave up.
        Assert.True(Check(
            Operation.Set(0, "x", "1", 0, 10),
            Operation.UnknownSet(0, "x", "2", 20),
            Operation.Get(1, "x", "1", 30, 40),
            Operation.Get(1, "x", "2", 500, 600)).IsLinearizable);

        // Seen before it was invoked: no.
        LinearizabilityResult early = Check(
            Operation.Get(1, "x", "2", 0, 5),
            Operation.UnknownSet(0, "x", "2", 10));
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, early.Verdict);
        Assert.Equal(0, early["x"].FailedOperation);

        // Seen, then the old value again with no write in between: no.
        LinearizabilityResult undone = Check(
            Operation.Set(0, "x", "1", 0, 10),
            Operation.UnknownSet(0, "x", "2", 20),
            Operation.Get(1, "x", "2", 30, 40),
            Operation.Get(1, "x", "1", 50, 60));
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, undone.Verdict);
        Assert.Equal(3, undone["x"].FailedOperation);
    }

    [Fact]
    public void An_unknown_outcome_horizon_rules_out_a_write_landing_later()
    {
        // The set of "2" can only have landed after 300: legal, unless unknown outcomes land within 100.
        History late = History.Of(
            Operation.Set(0, "x", "1", 0, 10),
            Operation.UnknownSet(0, "x", "2", 20),
            Operation.Get(1, "x", "1", 200, 300),
            Operation.Get(1, "x", "2", 500, 600));

        Assert.True(LinearizabilityChecker.Check(late).IsLinearizable);
        Assert.True(LinearizabilityChecker.Check(late, new LinearizabilityOptions { UnknownOutcomeHorizon = 500 }).IsLinearizable);
        LinearizabilityResult bounded = LinearizabilityChecker.Check(late, new LinearizabilityOptions { UnknownOutcomeHorizon = 100 });
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, bounded.Verdict);
        Assert.Equal(3, bounded["x"].FailedOperation);
    }

    [Fact]
    public void Operations_touching_at_one_timestamp_count_as_concurrent()
    {
        // The clock cannot order a return and a call with the same timestamp, so either order is allowed.
        Assert.True(Check(
            Operation.Set(0, "x", "a", 0, 10),
            Operation.Get(1, "x", null, 10, 20)).IsLinearizable);
        Assert.False(Check(
            Operation.Set(0, "x", "a", 0, 10),
            Operation.Get(1, "x", null, 11, 20)).IsLinearizable);
    }

    [Fact]
    public void Every_key_is_checked_and_every_failing_key_is_named()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "a", "1", 0, 1),
            Operation.Get(0, "a", "1", 2, 3),
            Operation.Set(0, "b", "1", 0, 1),
            Operation.Get(0, "b", "2", 2, 3),
            Operation.Set(0, "c", "1", 0, 1),
            Operation.Get(0, "c", null, 2, 3));

        Assert.Equal(["b", "c"], result.Failures.Select(f => f.Key));
        Assert.Equal(LinearizabilityVerdict.Linearizable, result["a"].Verdict);
        Assert.StartsWith("NOT linearizable: key \"b\", \"c\" (2 of 3 keys)", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_over_its_step_budget_answers_unknown_instead_of_hanging()
    {
        // Many concurrent writes and reads that cannot all be explained: the exhaustive search is large.
        var operations = new List<Operation>();
        for (int i = 0; i < 12; i++)
        {
            operations.Add(Operation.Set(i, "x", $"v{i}", 0, 100));
            operations.Add(Operation.Get(i, "x", $"v{(i + 1) % 12}", 1, 99));
        }
        operations.Add(Operation.Get(99, "x", "never", 200, 201));

        LinearizabilityResult result = LinearizabilityChecker.Check(new History(operations), new LinearizabilityOptions { MaxStepsPerKey = 1000 });

        Assert.Equal(LinearizabilityVerdict.Unknown, result.Verdict);
        Assert.Equal(LinearizabilityVerdict.Unknown, result["x"].Verdict);
        Assert.StartsWith("UNDECIDED", result.Explanation, StringComparison.Ordinal);
        Assert.True(result["x"].Steps > 1000);
    }

    [Fact]
    public void Malformed_operations_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => History.Of(Operation.Set(0, "x", "a", 10, 5)));
        Assert.Throws<ArgumentException>(() => History.Of(Operation.Get(0, "x", "a", 0, 5).WithUnknownOutcome()));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.Increment, "x", "one", null, 0, 5)));
    }
}
