using System.Diagnostics;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Faults.Linearizability;
using Xunit.Abstractions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Read-modify-write commands through the real orchestrator — SET NX, GETSET, APPEND, INCR, INCRBYFLOAT, DEL,
/// GETDEL, RENAME within a hash-tagged pair, among SETs and GETs — while a worker is killed (kill -9), restarted
/// and refilled from its partners under traffic. The orchestrator decides each such command once, on one copy,
/// and replicates the outcome, so: every command is served (none refused), the recorded history is linearizable
/// (tests/Linearizability, which checks a rename's two keys as one register), and afterwards the two copies of
/// every key are identical, read straight from the workers.
/// </summary>
public sealed class DecidedWritesUnderFailureTests(ITestOutputHelper output)
{
    private const int Clients = 8;
    private const int Killed = 1;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] Tags = ["{t0}", "{t1}", "{t2}"];

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Decided_writes_are_linearizable_and_leave_identical_copies_across_a_kill_and_a_refill(int workers)
    {
        using LocalCluster cluster = LocalCluster.Start(workers);
        var recorder = new HistoryRecorder();
        var traffic = new DecidedTraffic(cluster.Port, recorder, Tags, RequestTimeout);
        traffic.Start(Clients);
        try
        {
            // Traffic over every copy, then worker 1 dies mid-traffic; traffic goes on while it is down.
            await WaitForOperationsAsync(recorder, 1500, "before the kill");
            cluster.KillWorker(Killed);
            await OrchestratorInfo.WaitUntilAsync(cluster.Port, s => s[Killed] == "down", PhaseTimeout, $"worker {Killed} to be down");
            await WaitForOperationsAsync(recorder, recorder.Count + 1000, $"while worker {Killed} is down");

            // Restarted empty on its port: refilled from its partners while traffic goes on, until every worker is up.
            cluster.RestartWorker(Killed);
            await OrchestratorInfo.WaitUntilAsync(cluster.Port, s => s.All(w => w == "up"), PhaseTimeout, "every worker to be up again after the refill");
            await WaitForOperationsAsync(recorder, recorder.Count + 1500, "after the refill");
        }
        finally
        {
            await traffic.StopAsync();
        }
        IReadOnlyDictionary<string, string?> lastRead = traffic.ReadEveryKey(Clients);

        // Every command was served: refusing one would make the history below pass by answering nothing.
        Assert.True(traffic.Unexpected.IsEmpty,
            $"{traffic.Unexpected.Count} answers no such command can give, first: {string.Join("\n  ", traffic.Unexpected.Take(10))}");
        string answered = string.Join(", ", traffic.Answered.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value}"));
        output.WriteLine($"{recorder.Count} operations; answered: {answered}; unavailable: {traffic.Unavailable}; timed out or broken: {traffic.Broken}");
        Assert.All(Enum.GetValues<OperationKind>().Where(k => k is not (OperationKind.Delete or OperationKind.Expire)), kind =>
            Assert.True(traffic.Answered.GetValueOrDefault(kind) >= 20, $"only {traffic.Answered.GetValueOrDefault(kind)} {kind} answered ({answered})"));

        History history = recorder.ToHistory();
        LinearizabilityResult result = LinearizabilityChecker.Check(history);
        output.WriteLine(result.Explanation);
        Assert.True(result.IsLinearizable, result.Explanation);

        // A request that timed out might still be on its way and change a copy after the comparison below.
        Assert.True(traffic.Broken == 0, $"{traffic.Broken} requests timed out ({RequestTimeout.TotalSeconds:0} s) or lost their connection to the orchestrator");
        await cluster.WaitForAllUpAsync(); // none being refilled as the copies are read
        AssertCopiesIdentical(cluster, lastRead);
        await AssertSnapshotDigestsAgreeAsync(cluster);
    }

    /// <summary>
    /// For each replica pair, a digest of the pair's live items (key, version, value, in key order) from each of its two
    /// workers' SNAPSHOT streams: both copies must hold the same items at the same versions.
    /// </summary>
    private static async Task AssertSnapshotDigestsAgreeAsync(LocalCluster cluster)
    {
        var map = new SlotMap(cluster.WorkerCount);
        var items = new List<(string Key, ulong Version, string Value)>[cluster.WorkerCount];
        for (int w = 0; w < cluster.WorkerCount; w++)
        {
            await using EchoClient direct = await cluster.ConnectToWorkerAsync(w);
            IReadOnlyList<EchoReply> frames = await direct.SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default);
            items[w] = [.. frames
                .Where(f => f.Flags.HasFlag(BinaryFrameFlags.More) && !f.Flags.HasFlag(BinaryFrameFlags.Tombstone))
                .Select(f => (Encoding.UTF8.GetString(f.Key), f.Version, Encoding.UTF8.GetString(f.Value)))];
        }
        for (int pair = 0; pair < map.PairCount; pair++)
        {
            int primary = map.PrimaryOf(pair), partner = map.PartnerOf(pair);
            string first = Digest(items[primary], pair), second = Digest(items[partner], pair);
            Assert.True(first == second, $"pair {pair}: worker {primary}'s snapshot digest {first} differs from worker {partner}'s {second}");
        }

        string Digest(List<(string Key, ulong Version, string Value)> held, int pair)
        {
            var text = new StringBuilder();
            foreach ((string key, ulong version, string value) in held.Where(i => map.PairOf(SlotMap.SlotOf(Encoding.UTF8.GetBytes(i.Key))) == pair)
                .OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                text.Append(key).Append('\0').Append(version).Append('\0').Append(value).Append('\n');
            }
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    [Fact]
    public async Task A_delete_during_a_refill_counts_the_key_it_deletes_and_an_increment_counts_on()
    {
        const int Preloaded = 200_000;
        const int Writers = 16;
        // The kill is noticed by the reset connections; the harness's generous health timeout keeps a loaded machine (a
        // refill of 200k items beside the writers) from marking the surviving copy down too, which would answer UNAVAILABLE.
        using LocalCluster cluster = LocalCluster.Start(2);
        Preload(cluster.Port, Preloaded);
        cluster.KillWorker(Killed);
        await OrchestratorInfo.WaitUntilAsync(cluster.Port, s => s[Killed] == "down", PhaseTimeout, $"worker {Killed} to be down");

        // Worker 1's state as the orchestrator reports it, polled all along, each reading with when it was asked and answered.
        var readings = new List<(long Asked, long Answered, string State)>();
        var deletes = new List<(string Key, long Call, long Return, RespReply Set, RespReply Delete)>();
        var counts = new List<(int Writer, int Index, RespReply Reply)>();
        using var stop = new CancellationTokenSource();
        Task poller = Task.Factory.StartNew(() =>
        {
            using RespConnection info = RespConnection.Connect(cluster.Port, RequestTimeout);
            while (!stop.IsCancellationRequested)
            {
                long asked = Stopwatch.GetTimestamp();
                string state = OrchestratorInfo.WorkerStates(info)[Killed];
                lock (readings)
                {
                    readings.Add((asked, Stopwatch.GetTimestamp(), state));
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // Several writers, each on its own connection: requests are slow while the refill streams (tens of ms),
        // and many must land during it.
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(() =>
        {
            using RespConnection connection = RespConnection.Connect(cluster.Port, RequestTimeout);
            var random = new Random(w);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                // Keys of the data set (which the refill streams too), each writer its own share of them, so no other
                // writer's DEL can come between its SET and its DEL; and keys of no one's.
                string key = i % 2 == 0 ? $"key:{(random.Next(Preloaded / Writers) * Writers) + w}" : $"fresh:{w}:{i}";
                RespReply set = connection.Call("SET", key, $"v{i}");
                long call = Stopwatch.GetTimestamp();
                RespReply delete = connection.Call("DEL", key);
                long ret = Stopwatch.GetTimestamp();
                // A counter of this writer's own: a decided INCR keeps working while a copy is refilled (no BUSY),
                // and counts from where it was.
                RespReply counted = connection.Call("INCR", $"counter:{w}");
                lock (deletes)
                {
                    deletes.Add((key, call, ret, set, delete));
                    counts.Add((w, i, counted));
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        try
        {
            await WaitUntilAsync(() => Count(deletes) >= 100, "deletes while worker 1 is down");
            cluster.RestartWorker(Killed);
            await WaitUntilAsync(() => Seen(readings, r => r.State == "syncing") && Seen(readings, r => r.State == "up"), "worker 1 to be refilled (syncing, then up)");
            int after = Count(deletes);
            await WaitUntilAsync(() => Count(deletes) >= after + 100, "deletes after the refill");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll([poller, .. writers]);
        }

        // A delete ran during the refill when the last reading answered before it was sent, the first one asked
        // after it was answered, and every one in between say "syncing" (worker 1 syncs once: down, returning,
        // syncing, up).
        bool Syncing(long call, long ret)
        {
            int before = readings.FindLastIndex(r => r.Answered <= call);
            int after = readings.FindIndex(r => r.Asked >= ret);
            return before >= 0 && after >= 0 && readings[before..(after + 1)].All(r => r.State == "syncing");
        }
        int duringRefill = deletes.Count(d => Syncing(d.Call, d.Return));
        string Describe((string Key, long Call, long Return, RespReply Set, RespReply Delete) d) =>
            $"SET {d.Key} -> {d.Set}, DEL -> {d.Delete}{(Syncing(d.Call, d.Return) ? " (during the refill)" : "")}";
        output.WriteLine($"{deletes.Count} deletes, {duringRefill} during the refill; worker {Killed} was seen {string.Join(", then ", readings.Select(r => r.State).Distinct())}");

        var badCounts = counts.Where(c => c.Reply.Type != ':' || c.Reply.Integer != c.Index + 1).ToList();
        Assert.True(badCounts.Count == 0,
            $"{badCounts.Count} of {counts.Count} INCRs did not count on from the last, first: {string.Join("\n  ", badCounts.Take(5).Select(c => $"INCR counter:{c.Writer} #{c.Index + 1} -> {c.Reply}"))}");
        var wrong = deletes.Where(d => !d.Set.IsStatus("OK") || d.Delete.Type != ':' || d.Delete.Integer != 1).ToList();
        Assert.True(wrong.Count == 0,
            $"{wrong.Count} of {deletes.Count} SET-then-DEL pairs did not answer OK then 1 ({duringRefill} deletes ran during the refill), first: {string.Join("\n  ", wrong.Take(10).Select(Describe))}");
        Assert.True(duringRefill >= 10, $"only {duringRefill} deletes ran while worker 1 was syncing: the refill was too short to test");
    }

    /// <summary>Writes keys "key:0" … through the orchestrator with MSET, 500 at a time, values of 100 bytes.</summary>
    private static void Preload(int port, int count)
    {
        using RespConnection connection = RespConnection.Connect(port, RequestTimeout);
        string padding = new('p', 90);
        for (int start = 0; start < count; start += 500)
        {
            var arguments = new List<string> { "MSET" };
            for (int i = start; i < Math.Min(count, start + 500); i++)
            {
                arguments.Add($"key:{i}");
                arguments.Add($"{padding}{i:D10}");
            }
            RespReply reply = connection.Call([.. arguments]);
            Assert.True(reply.IsStatus("OK"), $"MSET of keys from {start} answered {reply}");
        }
    }

    /// <summary>
    /// Reads every key the clients used straight from each worker (KEYS *, GET, PTTL): each key that exists is
    /// on exactly two workers — its pair — with the same value and no expiry on both, the value the last read
    /// through the orchestrator returned; a key read as missing is on none. Both keys of a hash tag live on the
    /// same two workers, and no worker holds a key no client used.
    /// </summary>
    private static void AssertCopiesIdentical(LocalCluster cluster, IReadOnlyDictionary<string, string?> lastRead)
    {
        var copies = new Dictionary<string, (string Value, long Ttl)>[cluster.WorkerCount];
        for (int w = 0; w < cluster.WorkerCount; w++)
        {
            using RespConnection direct = RespConnection.Connect(cluster.WorkerPort(w), RequestTimeout);
            RespReply listed = direct.Call("KEYS", "*");
            Assert.True(listed.Type == '*' && listed.Items is not null, $"worker {w}: KEYS * answered {listed}");
            copies[w] = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
            foreach (string key in listed.Items.Select(i => i.Text!))
            {
                Assert.True(lastRead.ContainsKey(key), $"worker {w} holds \"{key}\", which no client used");
                RespReply value = direct.Call("GET", key);
                RespReply ttl = direct.Call("PTTL", key);
                Assert.True(value.Type == '$' && value.Text is not null && ttl.Type == ':', $"worker {w}: GET {key} -> {value}, PTTL -> {ttl}");
                copies[w][key] = (value.Text, ttl.Integer);
            }
        }

        var holdersOfTag = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string? read) in lastRead)
        {
            int[] holders = [.. Enumerable.Range(0, cluster.WorkerCount).Where(w => copies[w].ContainsKey(key))];
            string seen = string.Join(", ", holders.Select(w => $"worker {w}: {Operation.Quote(copies[w][key].Value)} (pttl {copies[w][key].Ttl})"));
            if (holders.Length == 0)
            {
                Assert.True(read is null, $"\"{key}\" read {Operation.Quote(read)} through the orchestrator last, but no worker holds it");
                continue;
            }
            Assert.True(holders.Length == 2, $"\"{key}\" is on {holders.Length} workers, not 2: {seen}");
            (string Value, long Ttl) one = copies[holders[0]][key], other = copies[holders[1]][key];
            Assert.True(one == other && one.Ttl == -1, $"the two copies of \"{key}\" differ (or expire): {seen}");
            Assert.True(one.Value == read, $"\"{key}\" read {Operation.Quote(read)} through the orchestrator last, the copies hold {seen}");
            string tag = key[..(key.IndexOf('}') + 1)];
            string pair = string.Join(",", holders);
            if (!holdersOfTag.TryGetValue(tag, out string? pairOfTag))
            {
                holdersOfTag.Add(tag, pairOfTag = pair);
            }
            Assert.True(pairOfTag == pair,
                $"the keys of {tag} are on different workers ({pairOfTag} and {pair}): a rename between them could not be decided on one copy");
        }
    }

    private static async Task WaitForOperationsAsync(HistoryRecorder recorder, int count, string when) =>
        await WaitUntilAsync(() => recorder.Count >= count, $"{count} operations recorded ({when}); {recorder.Count} so far");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < PhaseTimeout, $"waited {PhaseTimeout.TotalSeconds:0} s for {what}");
            await Task.Delay(10);
        }
    }

    private static int Count<T>(List<T> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static bool Seen<T>(List<T> list, Func<T, bool> predicate)
    {
        lock (list)
        {
            return list.Any(predicate);
        }
    }
}
