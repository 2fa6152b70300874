using EchoCache.Faults.Linearizability;
using Xunit.Abstractions;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// A two-copy store that lets a read go to either copy while a write is being copied produces the classic
/// non-linearizable history — a read sees the new value on one copy, a later read the old value on the other —
/// and the checker catches it. Deterministic: a scripted schedule, and a seeded simulation.
/// </summary>
public sealed class ReplicaAnomalyTests(ITestOutputHelper output)
{
    [Fact]
    public void A_scripted_read_of_the_lagging_copy_after_a_read_of_the_new_one_is_caught()
    {
        long now = 0;
        var recorder = new HistoryRecorder(() => now);
        var copies = new[] { new Dictionary<string, string>(), new Dictionary<string, string>() };

        void Step(long time, Action action)
        {
            now = time;
            action();
        }

        PendingOperation first = recorder.BeginSet(0, "x", "old");
        Step(1, () => copies[0]["x"] = copies[1]["x"] = "old");
        Step(2, first.Acknowledged);

        PendingOperation write = recorder.BeginSet(0, "x", "new");  // t=2
        Step(11, () => copies[0]["x"] = "new");                      // the first copy has it; the second does not yet
        Step(12, () => { });
        PendingOperation readFirst = recorder.BeginGet(1, "x");
        Step(13, () => readFirst.Read(copies[0]["x"]));              // "new"
        Step(15, () => { });
        PendingOperation readSecond = recorder.BeginGet(2, "x");
        Step(16, () => readSecond.Read(copies[1]["x"]));             // "old", after someone saw "new"
        Step(20, () => copies[1]["x"] = "new");
        Step(21, write.Acknowledged);

        History history = recorder.ToHistory();
        LinearizabilityResult result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Explanation);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Equal(3, result["x"].FailedOperation);
        Assert.Equal(["new"], result["x"].PossibleValues);
        Assert.Contains("=> #3 client 2 get \"x\" -> \"old\"  [15 .. 16]", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("#2 client 1 get \"x\" -> \"new\"  [12 .. 13]", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("#1 client 0 set \"x\" = \"new\"  [2 .. 21]", result.Explanation, StringComparison.Ordinal);

        // Read the first copy instead, and the same schedule is linearizable.
        Operation[] fixedReads = [.. history.Operations];
        fixedReads[3] = fixedReads[3] with { Output = "new" };
        Assert.True(LinearizabilityChecker.Check(new History(fixedReads)).IsLinearizable);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(102)]
    [InlineData(103)]
    public void A_simulated_cluster_reading_either_copy_is_caught_and_reading_the_primary_is_not(int seed)
    {
        var options = new SimulationOptions { Seed = seed, Clients = 4, Keys = 2, Operations = 2000, FailureRate = 0.02 };

        LinearizabilityResult primary = LinearizabilityChecker.Check(SimulatedCluster.Run(options));
        History eitherHistory = SimulatedCluster.Run(options with { ReadEitherReplica = true });
        LinearizabilityResult either = LinearizabilityChecker.Check(eitherHistory);

        output.WriteLine(either.Explanation);
        Assert.True(primary.IsLinearizable, primary.Explanation);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, either.Verdict);
        KeyCheckResult failure = either.Failures[0];
        Operation culprit = eitherHistory.Operations[failure.FailedOperation!.Value];
        Assert.Equal(OperationKind.Get, culprit.Kind);
        Assert.DoesNotContain(culprit.Output, failure.PossibleValues);
        Assert.NotEmpty(failure.LongestValidPrefix);
    }
}
