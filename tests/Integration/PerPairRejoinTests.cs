using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EchoCache.Net.Cluster;
using Xunit.Abstractions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A returning worker's rejoin is planned pair by pair (docs/consistency.md, "Resync", step 0; <c>Cluster.PlanRejoin</c>):
/// with three workers the pairs are (w0,w1), (w1,w2) and (w2,w0), and one partner up says nothing about the pair with
/// the other. Real executables; a partition between the orchestrator and a worker is made by a relay in front of the
/// worker (<see cref="PartitionProxy"/>). Every wait is on the orchestrator's INFO; a window in which a worker must stay
/// out of service is watched by polling INFO for <see cref="WatchedIntervals"/> health intervals (the orchestrator plans
/// a waiting worker's rejoin again every interval), reading the pair it must not serve all along.
/// </summary>
public sealed class PerPairRejoinTests(ITestOutputHelper output)
{
    private const int Workers = 3;
    private const int HealthIntervalMs = 100;
    private const int WatchedIntervals = 20;
    private const int KeysPerPair = 100;
    private static readonly SlotMap Map = new(Workers);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HeldTimeout = TimeSpan.FromSeconds(30);

    // The copy check off: it would repair a difference the final audit is there to find.
    private static readonly string[] OrchestratorOptions =
        ["--health-interval", HealthIntervalMs.ToString(CultureInfo.InvariantCulture), "--copy-check-interval", "0"];

    /// <summary>
    /// The bug this guards against: w0, back from a partition, was flushed and refilled as soon as one partner (w1) was
    /// up, emptying pair (w0,w2) while w2, which left after w0, held its last copy. Now w0 waits, untouched, until w2 is
    /// back; meanwhile pair (w0,w2) answers UNAVAILABLE, never "missing" nor its old value.
    /// </summary>
    [Fact]
    public async Task A_worker_back_from_a_partition_waits_for_the_partner_that_left_after_it_with_the_last_copy_of_their_pair()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess w2 = HostProcess.StartWorker(out int p2);
        using PartitionProxy network0 = PartitionProxy.Start(p0);
        using PartitionProxy network2 = PartitionProxy.Start(p2);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [network0.Port, p1, network2.Port], OrchestratorOptions);
        string Log() => orchestrator.Output;
        int[] ports = [p0, p1, p2];
        ulong[] instances = [.. await Task.WhenAll(ports.Select(LocalCluster.InstanceAtAsync))];
        await WaitAsync(port, w => AllUpAs(w, instances), "every worker to be up", Log);

        string[] pair02 = KeysOf(0, 2, "a"), pair01 = KeysOf(0, 1, "b"), pair12 = KeysOf(1, 2, "c");
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        using RespConnection client = RespConnection.Connect(port, RequestTimeout);
        Write(client, [.. pair02, .. pair01, .. pair12], "first", expected);
        Dictionary<string, string> heldByW0 = new(expected, StringComparer.Ordinal);

        // w0 cut off: pair (w0,w2) is written on w2 alone, pair (w0,w1) on w1 alone.
        network0.Partition();
        await WaitAsync(port, w => w[0].State == "down", "worker 0 to be down (partitioned)", Log);
        Write(client, [.. pair02, .. pair01], "second", expected);

        // w2 cut off too: it held the last copy of pair (w0,w2). w1 serves the other two pairs alone.
        network2.Partition();
        await WaitAsync(port, w => w[2].State == "down", "worker 2 to be down (partitioned)", Log);
        Write(client, [.. pair01, .. pair12], "third", expected);

        // w0's network heals. One partner (w1) is up, but the other (w2) left after w0 and may hold newer writes of
        // their pair (it does): w0 must wait for it, holding what it held, serving nothing.
        network0.Heal();
        (long held0, int delivered0) = await network0.DeliverHeldAsync(HeldTimeout);
        output.WriteLine($"w0's partition held {held0} bytes; {delivered0} requests of them reached it after the heal");
        // Back in the orchestrator's view (its health probe answered): from then on it must be returning, and stay so.
        await WaitAsync(port, w => w[0].State != "down" && w[0].Instance == instances[0], "worker 0 to be reconnected", Log);
        int polls = await WatchAsync(port,
            w => w[0] == new WorkerView("returning", instances[0]) && w[1].IsUpAs(instances[1]) && w[2].State == "down",
            "worker 0 returning (waiting for worker 2), worker 1 up, worker 2 down",
            poll => AssertUnavailable(client, pair02[poll % pair02.Length]), Log);
        output.WriteLine($"worker 0 stayed returning over {polls} INFO polls ({WatchedIntervals} health intervals)");
        foreach (string key in pair02)
        {
            AssertUnavailable(client, key);
        }
        AssertReads(client, Only(expected, [.. pair01, .. pair12]), "through the orchestrator, w1 alone up");
        // Waiting touches nothing: w0 still holds its copy as it was when it was cut off.
        AssertHolds(p0, Only(heldByW0, [.. pair02, .. pair01]), "on worker 0 while it waits for worker 2");

        // w2's network heals: w2 keeps its copy (the last of pair (w0,w2)) and catches up from w1; then w0, every
        // partner up, is refilled from both.
        network2.Heal();
        (long held2, int delivered2) = await network2.DeliverHeldAsync(HeldTimeout);
        output.WriteLine($"w2's partition held {held2} bytes; {delivered2} requests of them reached it after the heal");
        await WaitAsync(port, w => AllUpAs(w, instances), "every worker to be up", Log);

        AssertReads(client, expected, "through the orchestrator after both heals");
        AssertEveryCopy(ports, expected, "after both heals");
        await StopAndAuditAsync(orchestrator, ports, expected);
    }

    /// <summary>
    /// w2 restarted empty while w0, cut off, held the older copy of pair (w0,w2): w2 waits for w0 (the pair answers
    /// UNAVAILABLE, never an empty copy's "missing"), then is refilled from it. The writes acknowledged on w2 alone are
    /// lost by design (no copy holds them); w0's copy wins, and pair (w1,w2) is refilled from w1.
    /// </summary>
    [Fact]
    public async Task A_worker_restarted_while_its_partner_is_partitioned_waits_for_it_and_is_refilled_from_its_copy()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess w2 = HostProcess.StartWorker(out int p2);
        using PartitionProxy network0 = PartitionProxy.Start(p0);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [network0.Port, p1, p2], OrchestratorOptions);
        string Log() => orchestrator.Output;
        int[] ports = [p0, p1, p2];
        ulong[] instances = [.. await Task.WhenAll(ports.Select(LocalCluster.InstanceAtAsync))];
        await WaitAsync(port, w => AllUpAs(w, instances), "every worker to be up", Log);

        string[] pair02 = KeysOf(0, 2, "a"), pair01 = KeysOf(0, 1, "b"), pair12 = KeysOf(1, 2, "c");
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        using RespConnection client = RespConnection.Connect(port, RequestTimeout);
        Write(client, [.. pair02, .. pair01, .. pair12], "first", expected);
        Dictionary<string, string> beforeTheCut = Only(expected, pair02);

        // w0 cut off; pair (w0,w2) written on w2 alone, pair (w1,w2) on both, pair (w0,w1) on w1 alone.
        network0.Partition();
        await WaitAsync(port, w => w[0].State == "down", "worker 0 to be down (partitioned)", Log);
        Write(client, [.. pair02, .. pair12, .. pair01], "second", expected);

        // w2, the last copy of pair (w0,w2), killed and started again empty on its port.
        w2.Kill();
        await WaitAsync(port, w => w[2].State == "down", "worker 2 to be down (killed)", Log);
        using HostProcess w2Again = HostProcess.Start("worker", p2.ToString(CultureInfo.InvariantCulture));
        w2Again.WaitForPort(p2);
        instances[2] = await LocalCluster.InstanceAtAsync(p2);
        await WaitAsync(port, w => w[2].State != "down" && w[2].Instance == instances[2], "worker 2 (restarted) to be reconnected", Log);
        int polls = await WatchAsync(port,
            w => w[2] == new WorkerView("returning", instances[2]) && w[1].IsUpAs(instances[1]) && w[0].State == "down",
            "worker 2 returning (waiting for worker 0), worker 1 up, worker 0 down",
            poll => AssertUnavailable(client, pair02[poll % pair02.Length]), Log);
        output.WriteLine($"worker 2 stayed returning over {polls} INFO polls ({WatchedIntervals} health intervals)");
        foreach (string key in pair02)
        {
            AssertUnavailable(client, key);
        }
        AssertReads(client, Only(expected, [.. pair01, .. pair12]), "through the orchestrator, w1 alone up");

        // w0's network heals: its copy of pair (w0,w2) is the newest that survives. It keeps it (catching up on pair
        // (w0,w1) from w1), then w2 is refilled from w0 and w1.
        network0.Heal();
        (long held, int delivered) = await network0.DeliverHeldAsync(HeldTimeout);
        output.WriteLine($"w0's partition held {held} bytes; {delivered} requests of them reached it after the heal");
        await WaitAsync(port, w => AllUpAs(w, instances), "every worker to be up", Log);

        // The writes of pair (w0,w2) acknowledged on w2 alone died with it: the pair reads back what was acknowledged
        // before w0 was cut off, on both copies.
        foreach ((string key, string value) in beforeTheCut)
        {
            expected[key] = value;
        }
        AssertReads(client, expected, "through the orchestrator after the heal");
        AssertEveryCopy(ports, expected, "after the heal");
        await StopAndAuditAsync(orchestrator, ports, expected);
    }

    /// <summary><see cref="KeysPerPair"/> keys named <c>prefix:i</c> whose slots belong to the pair of workers <paramref name="first"/> and <paramref name="second"/>.</summary>
    private static string[] KeysOf(int first, int second, string prefix) =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => $"{prefix}:{i}")
            .Where(key => Map.Holds(first, SlotOf(key)) && Map.Holds(second, SlotOf(key)))
            .Take(KeysPerPair)];

    private static int SlotOf(string key) => SlotMap.SlotOf(Encoding.UTF8.GetBytes(key));

    private static Dictionary<string, string> Only(Dictionary<string, string> values, string[] keys) =>
        keys.ToDictionary(key => key, key => values[key], StringComparer.Ordinal);

    private static bool AllUpAs(WorkerView[] workers, ulong[] instances) =>
        workers.Length == instances.Length && workers.Select((w, i) => w.IsUpAs(instances[i])).All(up => up);

    /// <summary>SETs each key to <c>tag:key</c>, each acknowledged, and records it.</summary>
    private static void Write(RespConnection client, string[] keys, string tag, Dictionary<string, string> expected)
    {
        foreach (string key in keys)
        {
            string value = $"{tag}:{key}";
            RespReply reply = client.Call("SET", key, value);
            Assert.True(reply.IsStatus("OK"), $"SET {key} {value} answered {reply}");
            expected[key] = value;
        }
    }

    private static void AssertUnavailable(RespConnection client, string key)
    {
        RespReply reply = client.Call("GET", key);
        Assert.True(reply.IsError && reply.Text!.StartsWith("UNAVAILABLE ", StringComparison.Ordinal),
            $"GET {key}, whose pair has no up copy that holds it, answered {reply}, not UNAVAILABLE");
    }

    private static void AssertReads(RespConnection client, IReadOnlyDictionary<string, string> expected, string where)
    {
        foreach ((string key, string value) in expected)
        {
            RespReply reply = client.Call("GET", key);
            Assert.True(reply.Type == '$' && reply.Text == value, $"{where}: GET {key} answered {reply}, not \"{value}\"");
        }
    }

    /// <summary>The worker on <paramref name="port"/> holds each key with its value, read straight from it (no secret: it serves anybody).</summary>
    private static void AssertHolds(int port, IReadOnlyDictionary<string, string> expected, string where)
    {
        using RespConnection direct = RespConnection.Connect(port, RequestTimeout);
        AssertReads(direct, expected, where);
    }

    /// <summary>Both workers of each key's pair hold its value.</summary>
    private static void AssertEveryCopy(int[] ports, Dictionary<string, string> expected, string when)
    {
        for (int worker = 0; worker < Workers; worker++)
        {
            int w = worker;
            AssertHolds(ports[w], expected.Where(e => Map.Holds(w, SlotOf(e.Key))).ToDictionary(), $"on worker {w} {when}");
        }
    }

    /// <summary>
    /// Stops the orchestrator, then compares the two copies of every slot by digest (<see cref="CopyAudit"/>): identical,
    /// each worker holding exactly the keys of its two pairs.
    /// </summary>
    private async Task StopAndAuditAsync(HostProcess orchestrator, int[] ports, Dictionary<string, string> expected)
    {
        orchestrator.Terminate();
        Assert.True(orchestrator.WaitForExit(RequestTimeout), $"the orchestrator did not stop:\n{orchestrator.Output}");
        CopyAuditResult audit = await new CopyAudit([.. ports.Select(p => new IPEndPoint(IPAddress.Loopback, p))]).RunAsync();
        output.WriteLine(audit.Describe());
        Assert.True(audit.Identical, audit.Describe());
        for (int worker = 0; worker < Workers; worker++)
        {
            int w = worker;
            Assert.Equal((ulong)expected.Keys.Count(key => Map.Holds(w, SlotOf(key))), audit.Workers[w].Items);
        }
    }

    private static Task<WorkerView[]> WaitAsync(int port, Func<WorkerView[], bool> condition, string what, Func<string> log) =>
        OrchestratorInfo.WaitForWorkersAsync(port, condition, LocalCluster.StateTimeout, what, log);

    /// <summary>
    /// Polls INFO for <see cref="WatchedIntervals"/> health intervals, failing the test the first time
    /// <paramref name="holds"/> does not hold, and runs <paramref name="eachPoll"/> (given the poll's number) after each
    /// poll; returns the number of polls.
    /// </summary>
    private static async Task<int> WatchAsync(int port, Func<WorkerView[], bool> holds, string what, Action<int> eachPoll, Func<string> log)
    {
        using RespConnection info = RespConnection.Connect(port, RequestTimeout);
        TimeSpan window = TimeSpan.FromMilliseconds(WatchedIntervals * HealthIntervalMs);
        var watched = Stopwatch.StartNew();
        int polls = 0;
        while (watched.Elapsed < window)
        {
            WorkerView[] workers = OrchestratorInfo.Workers(info);
            Assert.True(holds(workers),
                $"after {watched.ElapsedMilliseconds} ms ({polls} INFO polls), no longer {what}: " +
                $"{string.Join(", ", workers.Select((w, i) => $"worker{i} {w}"))}\nthe orchestrator's log:\n{log()}");
            eachPoll(polls++);
            await Task.Delay(5);
        }
        return polls;
    }
}
