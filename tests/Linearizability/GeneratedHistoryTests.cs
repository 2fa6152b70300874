using EchoCache.Faults.Linearizability;
using System.Diagnostics;
using EchoCache.Tests.Engine;
using Xunit.Abstractions;

namespace EchoCache.Tests.Linearizability;

/// <summary>Large histories from stores that are linearizable by construction, and the same with one stale read injected.</summary>
public sealed class GeneratedHistoryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 2, 1, 0.0, false)]
    [InlineData(2, 4, 1, 0.0, false)]
    [InlineData(3, 8, 1, 0.0, false)]
    [InlineData(4, 8, 3, 0.0, true)]
    [InlineData(5, 4, 2, 0.05, false)]
    [InlineData(6, 8, 2, 0.05, true)]
    [InlineData(7, 6, 1, 0.15, true)]
    public void Histories_of_a_simulated_linearizable_store_are_linearizable(int seed, int clients, int keys, double failureRate, bool increments)
    {
        History history = SimulatedCluster.Run(new SimulationOptions
        {
            Seed = seed,
            Clients = clients,
            Keys = keys,
            Operations = 3000,
            FailureRate = failureRate,
            Increments = increments,
        });

        LinearizabilityResult result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Explanation);
        Assert.True(result.IsLinearizable, result.Explanation);
        // Every completed operation is in the linearization; unknown-outcome writes only if they took effect.
        Assert.Equal(
            history.Operations.Count - history.UnknownOutcomes,
            result.Keys.Sum(k => k.Linearization.Count(i => !history.Operations[i].OutcomeUnknown)));
        if (failureRate > 0)
        {
            Assert.True(history.UnknownOutcomes > 0 && history.DroppedReads > 0, history.ToString());
        }
    }

    [Theory]
    [InlineData(21, 4, 1, 0.0)]
    [InlineData(22, 8, 3, 0.0)]
    [InlineData(23, 6, 2, 0.05)]
    [InlineData(24, 8, 3, 0.1)]
    public void Histories_of_a_simulated_store_deciding_every_command_on_its_primary_are_linearizable(int seed, int clients, int pairs, double failureRate)
    {
        History history = SimulatedCluster.Run(new SimulationOptions
        {
            Seed = seed,
            Clients = clients,
            Keys = pairs,
            Operations = 3000,
            FailureRate = failureRate,
            DecidedWrites = true,
        });

        LinearizabilityResult result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Explanation);
        Assert.True(result.IsLinearizable, result.Explanation);
        // One register per pair: renames link each pair's two keys.
        Assert.Equal(pairs, result.Keys.Count);
        Assert.All(result.Keys, k => Assert.Equal(2, k.GroupKeys.Count));
        Assert.Equal(
            history.Operations.Count - history.UnknownOutcomes,
            result.Keys.Sum(k => k.Linearization.Count(i => !history.Operations[i].OutcomeUnknown)));
        // Every kind was answered, refusals included (EXPIRE is the fault campaign clients' only: tests/Faults).
        Assert.All(Enum.GetValues<OperationKind>().Where(k => k is not (OperationKind.Delete or OperationKind.Expire)), kind =>
            Assert.Contains(history.Operations, o => o.Kind == kind && !o.OutcomeUnknown));
        Assert.Contains(history.Operations, o => o.Output == Operation.Rejected && o.Kind == OperationKind.Rename);
        Assert.Contains(history.Operations, o => o.Output == Operation.Rejected && o.Kind == OperationKind.IncrementByFloat);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void A_simulated_store_deciding_commands_on_a_lagging_copy_is_caught(int seed)
    {
        var options = new SimulationOptions { Seed = seed, Clients = 4, Keys = 2, Operations = 2000, DecidedWrites = true };
        Assert.True(LinearizabilityChecker.Check(SimulatedCluster.Run(options)).IsLinearizable);

        History history = SimulatedCluster.Run(options with { DecideOnEitherReplica = true });
        LinearizabilityResult result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Explanation);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.NotEmpty(result.Failures[0].LongestValidPrefix);
    }

    [Fact]
    public void Ten_thousand_operations_of_eight_clients_on_one_key_are_checked()
    {
        History history = SimulatedCluster.Run(new SimulationOptions { Seed = 42, Clients = 8, Keys = 1, Operations = 10_000 });

        LinearizabilityResult result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Explanation);
        Assert.True(result.IsLinearizable, result.Explanation);
        Assert.Equal(10_000, result["k0"].Linearization.Count);
    }

    [Fact]
    public void Ten_thousand_operations_with_failures_and_one_stale_read_are_caught()
    {
        History history = SimulatedCluster.Run(new SimulationOptions { Seed = 43, Clients = 8, Keys = 1, Operations = 10_000, FailureRate = 0.02 });
        (History stale, int injected) = WithStaleRead(history, "k0");

        // Unbounded unknown outcomes stay open to the end and make this failing search long (see the options);
        // the simulation guarantees a horizon, so this test may assume it.
        LinearizabilityResult result = LinearizabilityChecker.Check(
            stale, new LinearizabilityOptions { UnknownOutcomeHorizon = SimulatedCluster.UnknownOutcomeHorizon });

        output.WriteLine(result.Explanation);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Equal(injected, result["k0"].FailedOperation);
    }

    [Theory]
    [InlineData(11, 0.0)]
    [InlineData(12, 0.0)]
    [InlineData(13, 0.05)]
    [InlineData(14, 0.1)]
    public void One_stale_read_injected_into_a_long_linearizable_history_is_caught_and_named(int seed, double failureRate)
    {
        History history = SimulatedCluster.Run(new SimulationOptions { Seed = seed, Clients = 5, Keys = 2, Operations = 4000, FailureRate = failureRate });
        Assert.True(LinearizabilityChecker.Check(history).IsLinearizable);
        (History stale, int injected) = WithStaleRead(history, "k1");

        LinearizabilityResult result = LinearizabilityChecker.Check(stale);

        output.WriteLine(result.Explanation);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        KeyCheckResult failure = Assert.Single(result.Failures);
        Assert.Equal("k1", failure.Key);
        Assert.Equal(injected, failure.FailedOperation);
        Assert.DoesNotContain(stale.Operations[injected].Output, failure.PossibleValues);
        Assert.Contains("Key \"k1\" is not linearizable", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("=> " + stale.Format(injected), result.Explanation, StringComparison.Ordinal);
        Assert.Equal(LinearizabilityVerdict.Linearizable, result["k0"].Verdict);
    }

    [Fact]
    public void Real_threads_against_a_locked_store_produce_linearizable_histories()
    {
        const int threads = 4;
        const int perThread = 2000;
        var recorder = new HistoryRecorder();
        var store = new Dictionary<string, string>(StringComparer.Ordinal);
        var gate = new Lock();

        TestThreads.Run(threads, t =>
        {
            var random = new Random(t);
            for (int i = 0; i < perThread; i++)
            {
                string key = $"k{random.Next(3)}";
                switch (random.Next(10))
                {
                    case < 4:
                        using (PendingOperation set = recorder.BeginSet(t, key, $"{t}:{i}"))
                        {
                            lock (gate)
                            {
                                store[key] = $"{t}:{i}";
                            }
                            set.Acknowledged();
                        }
                        break;
                    case < 5:
                        using (PendingOperation delete = recorder.BeginDelete(t, key))
                        {
                            lock (gate)
                            {
                                store.Remove(key);
                            }
                            delete.Acknowledged();
                        }
                        break;
                    case < 6:
                        using (PendingOperation increment = recorder.BeginIncrement(t, "n", 1))
                        {
                            long after;
                            lock (gate)
                            {
                                after = long.Parse(store.GetValueOrDefault("n", "0"), System.Globalization.CultureInfo.InvariantCulture) + 1;
                                store["n"] = after.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            }
                            increment.Incremented(after);
                        }
                        break;
                    default:
                        string readKey = random.Next(4) == 0 ? "n" : key;
                        using (PendingOperation get = recorder.BeginGet(t, readKey))
                        {
                            string? value;
                            lock (gate)
                            {
                                value = store.GetValueOrDefault(readKey);
                            }
                            get.Read(value);
                        }
                        break;
                }
            }
        });

        History history = recorder.ToHistory();
        LinearizabilityResult result = LinearizabilityChecker.Check(history);

        output.WriteLine(result.Explanation);
        Assert.Equal(threads * perThread, history.Operations.Count);
        Assert.True(result.IsLinearizable, result.Explanation);
    }

    /// <summary>
    /// Rewrites one completed get of <paramref name="key"/>, past the middle of the history, to return the
    /// value of an older set (w_old), when a newer set (w_new) began after w_old returned and returned before
    /// the get began. Values of sets are unique, so the get would have to come after w_old and before w_new,
    /// and real time puts it after w_new: certainly not linearizable, and the get ends the shortest failing prefix.
    /// </summary>
    private static (History History, int Injected) WithStaleRead(History history, string key)
    {
        IReadOnlyList<Operation> ops = history.Operations;
        Operation[] completedSets = [.. ops.Where(o => o.Key == key && o.Kind == OperationKind.Set && !o.OutcomeUnknown)];
        for (int r = ops.Count / 2; r < ops.Count; r++)
        {
            Operation read = ops[r];
            if (read.Key != key || read.Kind != OperationKind.Get)
            {
                continue;
            }
            Operation? newer = completedSets.Where(w => w.Return < read.Call).MaxBy(w => w.Return);
            Operation? older = newer is null ? null : completedSets.Where(w => w.Return < newer.Call).MaxBy(w => w.Return);
            if (older is not null && older.Input != read.Output)
            {
                Operation[] rewritten = [.. ops];
                rewritten[r] = read with { Output = older.Input };
                return (new History(rewritten, history.TicksPerSecond, history.DroppedReads), r);
            }
        }
        throw new InvalidOperationException("No read to make stale.");
    }
}
