using EchoCache.Faults.Linearizability;
using EchoCache.Tests.Engine;

namespace EchoCache.Tests.Linearizability;

public sealed class HistoryRecorderTests
{
    [Fact]
    public void Completed_operations_keep_their_answers_and_the_clock_readings()
    {
        long now = 100;
        var recorder = new HistoryRecorder(() => now);

        PendingOperation set = recorder.BeginSet(1, "k", "v");
        now = 105;
        set.Acknowledged();
        now = 110;
        PendingOperation get = recorder.BeginGet(2, "k");
        now = 111;
        get.Read("v");
        PendingOperation miss = recorder.BeginGet(2, "k");
        now = 112;
        miss.Read(null);
        PendingOperation delete = recorder.BeginDelete(3, "k");
        now = 120;
        delete.Acknowledged();
        PendingOperation increment = recorder.BeginIncrement(3, "n", 7);
        now = 121;
        increment.Incremented(7);

        History history = recorder.ToHistory();

        Assert.Equal(
            [
                Operation.Set(1, "k", "v", 100, 105),
                Operation.Get(2, "k", "v", 110, 111),
                Operation.Get(2, "k", null, 111, 112),
                Operation.Delete(3, "k", 112, 120),
                Operation.Increment(3, "n", 7, 7, 120, 121),
            ],
            history.Operations);
        Assert.Null(history.TicksPerSecond);
        Assert.True(LinearizabilityChecker.Check(history).IsLinearizable);
    }

    [Fact]
    public void Failed_unavailable_and_unfinished_writes_become_unknown_outcomes_and_such_reads_are_dropped()
    {
        long now = 0;
        var recorder = new HistoryRecorder(() => ++now);

        recorder.BeginSet(0, "k", "timed out").Failed();
        recorder.BeginSet(0, "k", "unavailable").Unavailable();
        recorder.BeginDelete(0, "k").Failed();
        recorder.BeginIncrement(0, "n", 1).Unavailable();
        recorder.BeginGet(0, "k").Failed();
        recorder.BeginGet(0, "k").Unavailable();
        using (recorder.BeginSet(1, "k", "threw"))
        {
            // The client call threw: the operation is disposed while open.
        }
        recorder.BeginSet(2, "k", "still waiting");
        recorder.BeginGet(3, "k");

        History history = recorder.ToHistory();

        Assert.All(history.Operations, op => Assert.True(op.OutcomeUnknown, op.ToString()));
        Assert.Equal(["timed out", "unavailable", null, "1", "threw", "still waiting"], history.Operations.Select(o => o.Input));
        Assert.Equal(6, history.UnknownOutcomes);
        Assert.Equal(3, history.DroppedReads);
        Assert.True(LinearizabilityChecker.Check(history).IsLinearizable);
    }

    [Fact]
    public void An_operation_is_completed_exactly_once_and_only_as_its_kind()
    {
        var recorder = new HistoryRecorder();
        PendingOperation set = recorder.BeginSet(0, "k", "v");

        Assert.Throws<InvalidOperationException>(() => set.Read("v"));
        Assert.Throws<InvalidOperationException>(() => set.Incremented(1));
        Assert.Throws<InvalidOperationException>(() => recorder.BeginGet(0, "k").Acknowledged());
        set.Acknowledged();
        Assert.Throws<InvalidOperationException>(set.Acknowledged);
        Assert.Throws<InvalidOperationException>(set.Failed);
        set.Dispose(); // completed: no effect
        Assert.False(set.IsOpen);
        Assert.Equal(2, recorder.Count);
    }

    [Fact]
    public void Many_threads_record_concurrently_without_losing_or_tearing_an_operation()
    {
        const int threads = 4;
        const int perThread = 5000;
        var recorder = new HistoryRecorder();

        TestThreads.Run(threads, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                using PendingOperation op = recorder.BeginSet(t, $"k{i % 3}", $"{t}:{i}");
                if (i % 10 != 9)
                {
                    op.Acknowledged();
                }
            }
        });

        History history = recorder.ToHistory();
        Assert.Equal(threads * perThread, history.Operations.Count);
        Assert.Equal(threads * perThread / 10, history.UnknownOutcomes);
        Assert.Equal(System.Diagnostics.Stopwatch.Frequency, history.TicksPerSecond);
        for (int i = 1; i < history.Operations.Count; i++)
        {
            Assert.True(history.Operations[i - 1].Call <= history.Operations[i].Call, "recorded in invocation order");
        }
        foreach (IGrouping<int, Operation> client in history.Operations.GroupBy(o => o.ClientId))
        {
            Operation[] own = [.. client];
            Assert.Equal(Enumerable.Range(0, perThread).Select(i => $"{client.Key}:{i}"), own.Select(o => o.Input));
            for (int i = 1; i < own.Length; i++)
            {
                // A client's operations are sequential: each one was invoked after the previous returned.
                Assert.True(own[i - 1].OutcomeUnknown || own[i - 1].Return <= own[i].Call);
                Assert.True(own[i].OutcomeUnknown || own[i].Call <= own[i].Return);
            }
        }
    }
}
