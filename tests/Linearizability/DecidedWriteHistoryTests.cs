using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// Small hand-written histories of the read-modify-write commands (SET NX, GETSET, APPEND, INCRBYFLOAT, GETDEL,
/// DEL with its count, RENAME): for each, one the checker must accept and one it must reject, with the verdict
/// worked out by hand. Times are abstract units.
/// </summary>
public sealed class DecidedWriteHistoryTests
{
    private static LinearizabilityResult Check(params Operation[] operations) =>
        LinearizabilityChecker.Check(History.Of(operations));

    private static void AssertLinearizable(LinearizabilityResult result) => Assert.True(result.IsLinearizable, result.Explanation);

    private static KeyCheckResult AssertNotLinearizable(LinearizabilityResult result, string key, int culprit)
    {
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        KeyCheckResult failure = result[key];
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, failure.Verdict);
        Assert.True(culprit == failure.FailedOperation, result.Explanation);
        return failure;
    }

    [Fact]
    public void Of_two_concurrent_set_if_absents_one_stores_and_the_other_sees_its_value()
    {
        AssertLinearizable(Check(
            Operation.SetIfAbsent(0, "lock", "a", stored: false, 0, 10),
            Operation.SetIfAbsent(1, "lock", "b", stored: true, 2, 12),
            Operation.Get(2, "lock", "b", 14, 15),
            Operation.Delete(2, "lock", 16, 17),
            Operation.SetIfAbsent(0, "lock", "c", stored: true, 18, 19)));
    }

    [Fact]
    public void Two_set_if_absents_that_both_store_with_no_delete_between_are_not_linearizable()
    {
        KeyCheckResult concurrent = AssertNotLinearizable(Check(
            Operation.SetIfAbsent(0, "lock", "a", stored: true, 0, 10),
            Operation.SetIfAbsent(1, "lock", "b", stored: true, 2, 12)), "lock", culprit: 1);
        Assert.Equal(["a"], concurrent.PossibleValues);

        // One after the other, and one that refuses while the key is missing.
        AssertNotLinearizable(Check(
            Operation.SetIfAbsent(0, "lock", "a", stored: true, 0, 1),
            Operation.SetIfAbsent(1, "lock", "b", stored: true, 2, 3)), "lock", culprit: 1);
        AssertNotLinearizable(Check(
            Operation.Set(0, "lock", "a", 0, 1),
            Operation.Delete(0, "lock", 2, 3),
            Operation.SetIfAbsent(1, "lock", "b", stored: false, 4, 5)), "lock", culprit: 2);
    }

    [Fact]
    public void Concurrent_getsets_chain_each_old_value_to_the_next()
    {
        AssertLinearizable(Check(
            Operation.GetSet(0, "x", "a", null, 0, 10),
            Operation.GetSet(1, "x", "b", "c", 1, 11),
            Operation.GetSet(2, "x", "c", "a", 2, 12),
            Operation.Get(0, "x", "b", 13, 14)));
    }

    [Fact]
    public void Two_getsets_that_both_read_the_same_old_value_lose_an_update()
    {
        AssertNotLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.GetSet(1, "x", "b", "a", 2, 10),
            Operation.GetSet(2, "x", "c", "a", 3, 11)), "x", culprit: 2);

        // A getset that reads a value overwritten before it began.
        AssertNotLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.Set(0, "x", "b", 2, 3),
            Operation.GetSet(1, "x", "c", "a", 4, 5)), "x", culprit: 2);
    }

    [Fact]
    public void Concurrent_appends_take_turns_and_their_lengths_say_in_which_order()
    {
        AssertLinearizable(Check(
            Operation.Set(0, "log", "12", 0, 1),
            Operation.Append(1, "log", "3", 5, 2, 10),
            Operation.Append(2, "log", "45", 4, 3, 11),
            Operation.Get(0, "log", "12453", 12, 13),
            Operation.Append(0, "log", "é", 7, 14, 15))); // lengths count UTF-8 bytes
    }

    [Fact]
    public void An_append_whose_length_skips_a_concurrent_append_or_repeats_one_is_not_linearizable()
    {
        // "3" makes 3 or 5, never 4: it skips (or half-sees) the concurrent append.
        KeyCheckResult skipped = AssertNotLinearizable(Check(
            Operation.Set(0, "log", "12", 0, 1),
            Operation.Append(1, "log", "3", 4, 2, 10),
            Operation.Append(2, "log", "45", 4, 3, 11)), "log", culprit: 1);
        Assert.Equal(["12", "1245"], skipped.PossibleValues);

        AssertNotLinearizable(Check(
            Operation.Set(0, "log", "12", 0, 1),
            Operation.Append(1, "log", "3", 3, 2, 10),
            Operation.Append(2, "log", "4", 3, 3, 11)), "log", culprit: 2);
    }

    [Fact]
    public void Float_increments_give_the_text_redis_gives_and_refuse_what_is_not_a_float()
    {
        // The examples of Redis's INCRBYFLOAT documentation, a refusal, and a missing key counting as 0.
        AssertLinearizable(Check(
            Operation.Set(0, "f", "10.50", 0, 1),
            Operation.IncrementByFloat(0, "f", "0.1", "10.6", 2, 3),
            Operation.IncrementByFloat(0, "f", "-5", "5.6", 4, 5),
            Operation.Set(0, "f", "5.0e3", 6, 7),
            Operation.IncrementByFloat(0, "f", "2.0e2", "5200", 8, 9),
            Operation.Set(0, "f", "abc", 10, 11),
            Operation.RejectedIncrementByFloat(1, "f", "1", 12, 13),
            Operation.Get(1, "f", "abc", 14, 15),
            Operation.Delete(1, "f", 16, 17),
            Operation.IncrementByFloat(1, "f", "1.5", "1.5", 18, 19),
            Operation.RejectedIncrement(1, "f", 1, 30, 31)));

        // Two concurrent float increments, in either order.
        AssertLinearizable(Check(
            Operation.IncrementByFloat(0, "f", "0.5", "2", 0, 10),
            Operation.IncrementByFloat(1, "f", "1.5", "1.5", 1, 11)));
    }

    [Fact]
    public void A_float_increment_that_loses_an_update_or_refuses_a_float_is_not_linearizable()
    {
        AssertNotLinearizable(Check(
            Operation.IncrementByFloat(0, "f", "0.5", "0.5", 0, 10),
            Operation.IncrementByFloat(1, "f", "0.5", "0.5", 1, 11)), "f", culprit: 1);

        KeyCheckResult refused = AssertNotLinearizable(Check(
            Operation.Set(0, "f", "1.5", 0, 1),
            Operation.RejectedIncrementByFloat(1, "f", "1", 2, 3)), "f", culprit: 1);
        Assert.Equal(["1.5"], refused.PossibleValues);

        // The text is exact: 10.5 + 0.1 is "10.6", not what a double would print.
        AssertNotLinearizable(Check(
            Operation.Set(0, "f", "10.5", 0, 1),
            Operation.IncrementByFloat(1, "f", "0.1", "10.600000000000001", 2, 3)), "f", culprit: 1);
    }

    [Fact]
    public void A_getdel_takes_the_value_once()
    {
        AssertLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.GetDelete(1, "x", "a", 2, 10),
            Operation.GetDelete(2, "x", null, 3, 11),
            Operation.Get(0, "x", "a", 4, 5),
            Operation.Get(0, "x", null, 12, 13)));
    }

    [Fact]
    public void Two_getdels_that_both_take_the_one_value_written_are_not_linearizable()
    {
        AssertNotLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.GetDelete(1, "x", "a", 2, 10),
            Operation.GetDelete(2, "x", "a", 3, 11)), "x", culprit: 2);

        // A read after a getdel returned sees the key missing.
        AssertNotLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.GetDelete(1, "x", "a", 2, 3),
            Operation.Get(2, "x", "a", 4, 5)), "x", culprit: 2);
    }

    [Fact]
    public void Of_two_concurrent_deletes_of_one_value_one_counts_it()
    {
        AssertLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.CountedDelete(1, "x", existed: false, 2, 10),
            Operation.CountedDelete(2, "x", existed: true, 3, 11),
            Operation.CountedDelete(0, "x", existed: false, 12, 13)));
    }

    [Fact]
    public void A_delete_answering_0_right_after_an_acknowledged_set_is_not_linearizable()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.CountedDelete(1, "x", existed: false, 2, 3));
        KeyCheckResult failure = AssertNotLinearizable(result, "x", culprit: 1);
        Assert.Equal(["a"], failure.PossibleValues);
        Assert.Contains("=> #1 client 1 delete \"x\" -> 0  [2 .. 3]", result.Explanation, StringComparison.Ordinal);

        // The same reply not recorded (a plain delete) cannot be caught: the reason for the counted kind.
        AssertLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.Delete(1, "x", 2, 3)));

        // Two deletes that both count the one value written.
        AssertNotLinearizable(Check(
            Operation.Set(0, "x", "a", 0, 1),
            Operation.CountedDelete(1, "x", existed: true, 2, 10),
            Operation.CountedDelete(2, "x", existed: true, 3, 11)), "x", culprit: 2);
    }

    [Fact]
    public void A_rename_moves_the_value_and_the_two_keys_are_checked_as_one_register()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "{t}:a", "v", 0, 1),
            Operation.Set(0, "{t}:b", "old", 2, 3),
            Operation.Set(0, "other", "z", 0, 1),
            Operation.Rename(1, "{t}:a", "{t}:b", renamed: true, 4, 10),
            Operation.Get(2, "{t}:b", "old", 5, 6),   // before the rename took effect
            Operation.Get(2, "{t}:b", "v", 7, 8),     // after
            Operation.Get(3, "{t}:a", null, 9, 11),
            Operation.Rename(1, "{t}:a", "{t}:b", renamed: false, 12, 13),  // "no such key"
            Operation.Rename(1, "{t}:b", "{t}:b", renamed: true, 14, 15),   // onto itself: OK, no change
            Operation.Get(2, "{t}:b", "v", 16, 17));

        AssertLinearizable(result);
        Assert.Equal(["other", "{t}:a + {t}:b"], result.Keys.Select(k => k.Key));
        Assert.Equal(["{t}:a", "{t}:b"], result["{t}:b"].GroupKeys);
        Assert.Same(result["{t}:a"], result["{t}:a + {t}:b"]);
        Assert.Equal(["other", "{t}:a", "{t}:b"], result.History.Keys);
    }

    [Fact]
    public void A_rename_whose_effects_are_seen_out_of_order_is_not_linearizable_though_each_key_alone_is()
    {
        // b already holds the moved value, then a still holds it: the rename took effect after 16 and before
        // 11. Each key alone has an order (a: the rename's removal after the read; b: its write before the read).
        Operation[] operations =
        [
            Operation.Set(0, "{t}:a", "v", 0, 1),
            Operation.Rename(1, "{t}:a", "{t}:b", renamed: true, 2, 100),
            Operation.Get(2, "{t}:b", "v", 10, 11),
            Operation.Get(3, "{t}:a", "v", 15, 16),
        ];
        LinearizabilityResult result = Check(operations);

        KeyCheckResult failure = AssertNotLinearizable(result, "{t}:a", culprit: 3);
        Assert.Equal(["{t}:a", "{t}:b"], failure.GroupKeys);
        Assert.Equal([null], failure.PossibleValues);
        Assert.Equal(["{t}:a = missing, {t}:b = \"v\""], failure.PossibleStates);
        Assert.Contains("Keys \"{t}:a\" + \"{t}:b\" (one register: renames link them) are not linearizable", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("held ({t}:a = missing, {t}:b = \"v\")", result.Explanation, StringComparison.Ordinal);

        // Checked key by key — a rename seen as a delete of a and a set of b — it would pass: the group is the point.
        Assert.True(LinearizabilityChecker.Check(History.Of(
            Operation.Set(0, "{t}:a", "v", 0, 1),
            Operation.Delete(1, "{t}:a", 2, 100),
            Operation.Set(1, "{t}:b", "v", 2, 100),
            Operation.Get(2, "{t}:b", "v", 10, 11),
            Operation.Get(3, "{t}:a", "v", 15, 16))).IsLinearizable);
    }

    [Fact]
    public void A_rename_refused_while_its_source_exists_or_accepted_while_it_is_missing_is_not_linearizable()
    {
        AssertNotLinearizable(Check(
            Operation.Set(0, "{t}:a", "v", 0, 1),
            Operation.Rename(1, "{t}:a", "{t}:b", renamed: false, 2, 3)), "{t}:a", culprit: 1);
        AssertNotLinearizable(Check(
            Operation.Get(0, "{t}:a", null, 0, 1),
            Operation.Rename(1, "{t}:a", "{t}:b", renamed: true, 2, 3)), "{t}:b", culprit: 1);
        // After a rename, the destination keeps the value even when the old name is written again.
        AssertNotLinearizable(Check(
            Operation.Set(0, "{t}:a", "v", 0, 1),
            Operation.Rename(1, "{t}:a", "{t}:b", renamed: true, 2, 3),
            Operation.Set(0, "{t}:a", "w", 4, 5),
            Operation.Get(2, "{t}:b", "w", 6, 7)), "{t}:b", culprit: 3);
    }

    [Fact]
    public void Renames_chain_keys_into_one_register()
    {
        LinearizabilityResult result = Check(
            Operation.Set(0, "a", "1", 0, 1),
            Operation.Rename(0, "a", "b", renamed: true, 2, 3),
            Operation.Rename(0, "b", "c", renamed: true, 4, 5),
            Operation.Get(1, "c", "1", 6, 7),
            Operation.Set(1, "d", "x", 0, 1));

        AssertLinearizable(result);
        Assert.Equal(["a + b + c", "d"], result.Keys.Select(k => k.Key));
    }

    [Fact]
    public void Unknown_writes_alike_but_on_different_keys_of_a_group_settle_in_either_order()
    {
        // The delete of b, invoked later, must land first (b is seen missing while a still holds "1"). The search
        // settles interchangeable unknown writes in invocation order: these two are not interchangeable.
        AssertLinearizable(Check(
            Operation.Set(0, "{t}:a", "1", 0, 1),
            Operation.Set(0, "{t}:b", "1", 0, 1),
            Operation.UnknownDelete(1, "{t}:a", 2),
            Operation.UnknownDelete(2, "{t}:b", 3),
            Operation.Get(3, "{t}:b", null, 10, 11),
            Operation.Get(3, "{t}:a", "1", 12, 13),
            Operation.Rename(3, "{t}:b", "{t}:a", renamed: false, 14, 15),
            Operation.Get(3, "{t}:a", null, 20, 21)));
    }

    [Fact]
    public void Every_new_kind_with_an_unknown_outcome_can_always_be_placed()
    {
        // Each would be refused, or answer otherwise, from the state it meets; unknown, each may have failed.
        AssertLinearizable(Check(
            Operation.Set(0, "x", "text", 0, 1),
            Operation.Unknown(1, OperationKind.IncrementByFloat, "x", "1", 2),
            Operation.Unknown(2, OperationKind.Increment, "x", "1", 2),
            Operation.Unknown(3, OperationKind.Rename, "y", "x", 2),
            Operation.Unknown(4, OperationKind.SetIfAbsent, "x", "other", 2),
            Operation.Get(0, "x", "text", 3, 4),
            Operation.Unknown(0, OperationKind.Append, "x", "!", 5),
            Operation.Unknown(0, OperationKind.GetSet, "x", "new", 5),
            Operation.Unknown(0, OperationKind.GetDelete, "x", null, 5),
            Operation.Unknown(0, OperationKind.CountedDelete, "x", null, 5),
            Operation.Get(1, "x", "text", 6, 7)));

        // And when one did take effect, its effect explains what came after.
        AssertLinearizable(Check(
            Operation.Set(0, "x", "1", 0, 1),
            Operation.Unknown(0, OperationKind.Append, "x", "0", 2),
            Operation.IncrementByFloat(1, "x", "0.5", "10.5", 3, 4)));
        AssertLinearizable(Check(
            Operation.Set(0, "{t}:a", "v", 0, 1),
            Operation.Unknown(0, OperationKind.Rename, "{t}:a", "{t}:b", 2),
            Operation.Get(1, "{t}:b", "v", 3, 4),
            Operation.Get(1, "{t}:a", null, 5, 6)));
    }

    [Fact]
    public void Unknown_writes_are_kept_when_only_a_set_if_absent_or_a_counted_delete_saw_their_effect()
    {
        // Nothing read "2" or "missing", but the refused SET NX saw some value, the DEL counting 0 saw none:
        // left out as unobservable, these writes would turn both answers into false alarms.
        LinearizabilityResult set = Check(
            Operation.UnknownSet(0, "x", "2", 0),
            Operation.SetIfAbsent(1, "x", "3", stored: false, 10, 11));
        AssertLinearizable(set);
        Assert.Equal(0, set["x"].PrunedUnknownWrites);

        LinearizabilityResult delete = Check(
            Operation.Set(0, "x", "1", 0, 1),
            Operation.UnknownDelete(0, "x", 2),
            Operation.CountedDelete(1, "x", existed: false, 10, 11),
            Operation.GetSet(1, "x", "4", null, 12, 13));
        AssertLinearizable(delete);
        Assert.Equal(0, delete["x"].PrunedUnknownWrites);

        // Still bounded: a getset that saw the unknown set's value, then its old value back, is caught.
        AssertNotLinearizable(Check(
            Operation.Set(0, "x", "1", 0, 1),
            Operation.UnknownSet(0, "x", "2", 2),
            Operation.GetSet(1, "x", "3", "2", 10, 11),
            Operation.Get(1, "x", "2", 12, 13)), "x", culprit: 3);
    }

    [Fact]
    public void The_recorder_records_every_kind_with_its_answer()
    {
        long now = 0;
        var recorder = new HistoryRecorder(() => now++);
        recorder.BeginSetIfAbsent(0, "k", "v").Stored(true);
        recorder.BeginGetSet(0, "k", "w").Read("v");
        recorder.BeginAppend(0, "k", "!").Appended(2);
        recorder.BeginIncrementByFloat(0, "k", "1").Rejected();
        recorder.BeginGetDelete(0, "k").Read("w!");
        recorder.BeginCountedDelete(0, "k").Deleted(0);
        recorder.BeginIncrementByFloat(0, "k", "0.5").IncrementedTo("0.5");
        recorder.BeginRename(0, "k", "j").Renamed();
        recorder.BeginIncrement(0, "j", 1).Rejected();
        recorder.BeginRename(0, "k", "j").Rejected();
        recorder.BeginRename(1, "j", "k").Failed();
        recorder.BeginGetSet(1, "j", "x").Unavailable();
        Assert.Throws<InvalidOperationException>(() => recorder.BeginSetIfAbsent(2, "k", "v").Acknowledged());
        Assert.Throws<InvalidOperationException>(() => recorder.BeginSet(2, "k", "v").Rejected());
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.BeginCountedDelete(2, "k").Deleted(2));

        History history = recorder.ToHistory();

        Assert.Equal(
            [
                "setnx \"k\" = \"v\" -> stored",
                "getset \"k\" = \"w\" -> \"v\"",
                "append \"k\" += \"!\" -> 2",
                "incrbyfloat \"k\" by 1 -> refused",
                "getdel \"k\" -> \"w!\"",
                "delete \"k\" -> 0",
                "incrbyfloat \"k\" by 0.5 -> \"0.5\"",
                "rename \"k\" to \"j\" -> OK",
                "incr \"j\" by 1 -> refused",
                "rename \"k\" to \"j\" -> refused",
                "rename \"j\" to \"k\"",
                "getset \"j\" = \"x\"",
            ],
            history.Operations.Take(12).Select(o => o.Describe()));
        Assert.Equal(2, history.Operations.Take(12).Count(o => o.OutcomeUnknown));
        LinearizabilityResult result = LinearizabilityChecker.Check(history);
        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Equal(["j + k"], result.Keys.Select(k => k.Key));
    }

    [Fact]
    public void Malformed_operations_of_the_new_kinds_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.SetIfAbsent, "x", "v", "2", 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.SetIfAbsent, "x", "v", null, 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.Append, "x", "v", "-1", 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.Rename, "x", null, "OK", 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.Rename, "x", "y", "1", 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.CountedDelete, "x", "v", "1", 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, OperationKind.IncrementByFloat, "x", "1", null, 0, 1)));
        Assert.Throws<ArgumentException>(() => History.Of(new Operation(0, (OperationKind)99, "x", null, null, 0, 1)));
    }
}
