using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The published orchestrator over three published workers (issue 4: with N ≥ 2 workers, odd N too, slots
/// spread over pairs). Pair i is (w_i, w_(i+1) mod 3) and a key belongs to pair slot mod 3, slot being its
/// stable hash mod 16384 (docs/consistency.md). Every check is black-box: through the orchestrator, and
/// directly against each worker.
/// </summary>
public sealed class ThreeWorkerClusterTests
{
    private const int Workers = 3;

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string S(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The documented rule, computed here from the engine's hash: slot = KeyHash mod 16384, pair = slot mod N.</summary>
    private static int PairOf(string key)
    {
        int slot = (int)(KeyHash.Compute(B(key)) % SlotMap.SlotCount);
        Assert.Equal(slot, SlotMap.SlotOf(B(key)));
        return slot % Workers;
    }

    /// <summary>The two workers of a key's pair.</summary>
    private static (int First, int Second) HoldersOf(string key)
    {
        int pair = PairOf(key);
        return (pair, (pair + 1) % Workers);
    }

    private static bool Holds(int worker, string key)
    {
        (int first, int second) = HoldersOf(key);
        return worker == first || worker == second;
    }

    [Fact]
    public async Task Every_key_is_on_exactly_the_two_workers_of_its_pair()
    {
        using LocalCluster cluster = LocalCluster.Start(Workers);
        await using EchoClient client = await cluster.ConnectAsync();
        const int Keys = 3000;
        var versions = new Dictionary<string, ulong>();
        for (int start = 0; start < Keys; start += 100)
        {
            EchoReply[] replies = await Task.WhenAll(Enumerable.Range(start, 100).Select(i => client.SetAsync(B($"key:{i}"), B($"value:{i}"))));
            for (int r = 0; r < replies.Length; r++)
            {
                Assert.Equal(BinaryStatus.Ok, replies[r].Status);
                versions[$"key:{start + r}"] = replies[r].Version;
            }
        }
        // All three pairs are used.
        Assert.All(Enumerable.Range(0, Workers), pair => Assert.Contains(versions.Keys, key => PairOf(key) == pair));
        await cluster.WaitForAllUpAsync();

        for (int worker = 0; worker < Workers; worker++)
        {
            Dictionary<string, (ulong Version, string Value)> items = await SnapshotAsync(cluster, worker);
            await using EchoClient direct = await cluster.ConnectToWorkerAsync(worker);
            int held = 0;
            KeyValuePair<string, ulong>[] written = [.. versions];
            EchoReply[] gets = [];
            for (int i = 0; i < written.Length; i++)
            {
                if (i % 100 == 0)
                {
                    gets = await Task.WhenAll(written.Skip(i).Take(100).Select(w => direct.GetAsync(B(w.Key)))); // 100 at a time
                }
                (string key, ulong version) = written[i];
                EchoReply get = gets[i % 100];
                if (Holds(worker, key))
                {
                    held++;
                    Assert.True(get.IsOk, $"worker {worker} should hold {key} (pair {PairOf(key)}) but reads {get.Status}");
                    Assert.Equal(key.Replace("key", "value", StringComparison.Ordinal), S(get.Value));
                    Assert.Equal(version, get.Version);
                    Assert.True(items.ContainsKey(key), $"{key} missing from worker {worker}'s snapshot");
                }
                else
                {
                    Assert.True(get.Status == BinaryStatus.NotFound,
                        $"worker {worker} is not in pair {PairOf(key)} of {key} but reads {get.Status}");
                    Assert.False(items.ContainsKey(key), $"worker {worker} is not in pair {PairOf(key)} of {key} but its snapshot has it");
                }
            }
            // Nothing else is there, and each worker holds about two thirds of the keys.
            Assert.Equal(held, items.Count);
            double share = (double)held / Keys;
            Assert.True(share is > 0.5 and < 0.8, $"worker {worker} holds {held} of {Keys} keys ({share:P0}), not about 2/3");
        }
    }

    [Fact]
    public async Task A_worker_killed_during_writes_is_resynced_with_exactly_the_keys_of_its_two_pairs()
    {
        // The kill is noticed by the reset connections. A generous health timeout keeps a loaded machine from marking a
        // worker down on its own: the frozen one before it is killed, or a survivor, whose writes would then be refused.
        using LocalCluster cluster = LocalCluster.Start(Workers, "--health-timeout", "30000");
        await using EchoClient client = await cluster.ConnectAsync();
        var writes = new WriteLog();

        // Writes go 64 at a time; worker 1 is killed (-9) with a batch in flight: frozen first (SIGSTOP), the batch sent,
        // and killed while the writes of its two pairs wait on it.
        for (int batch = 0; batch < 60; batch++)
        {
            int first = batch * 64;
            if (batch == 20)
            {
                cluster.PauseWorker(1);
                cluster.WaitUntilStopped(1);
            }
            Task done = writes.SetAsync(client, Enumerable.Range(first, 64).Select(i => ($"key:{i}", $"a{i}")));
            if (batch == 20)
            {
                // SetAsync sends a whole batch before it returns; worker 1's keys cannot be answered while it is frozen.
                Assert.False(done.IsCompleted, "the batch was answered before the kill");
                cluster.KillWorker(1);
            }
            await done;
        }
        // Every key still has a live replica: every write is applied to it and acknowledged.
        Assert.True(writes.Failures.Count == 0, $"writes not acknowledged with a live replica left: {string.Join(", ", writes.Failures.Take(10))}");

        // With worker 1 down: overwrites and deletes, which it will have to learn from its partners.
        await writes.SetAsync(client, Enumerable.Range(0, 1000).Select(i => ($"key:{i}", $"b{i}")));
        await writes.DeleteAsync(client, Enumerable.Range(1000, 300).Select(i => $"key:{i}"));
        await AssertReadsAsync(client, writes);

        // Restarted empty on its port, and refilled while writes go on (re-creating deleted keys, new keys, deletes).
        cluster.RestartWorker(1);
        Task during = Task.Run(async () =>
        {
            await writes.SetAsync(client, Enumerable.Range(500, 1000).Select(i => ($"key:{i}", $"c{i}")));
            await writes.SetAsync(client, Enumerable.Range(3840, 2000).Select(i => ($"key:{i}", $"c{i}")));
            await writes.DeleteAsync(client, Enumerable.Range(2000, 200).Select(i => $"key:{i}"));
        });
        await cluster.WaitForUpAsync(1);
        await during;
        await writes.SetAsync(client, Enumerable.Range(3000, 200).Select(i => ($"key:{i}", $"d{i}")));
        Assert.True(writes.Failures.Count == 0, $"writes not acknowledged with a live replica left: {string.Join(", ", writes.Failures.Take(10))}");
        await AssertReadsAsync(client, writes);

        // Every worker holds exactly the keys of its two pairs, with the same value and version as its partner.
        await cluster.WaitForAllUpAsync();
        Dictionary<string, (ulong Version, string Value)>[] snapshots = new Dictionary<string, (ulong Version, string Value)>[Workers];
        for (int worker = 0; worker < Workers; worker++)
        {
            snapshots[worker] = await SnapshotAsync(cluster, worker);
        }
        var keys = new HashSet<string>(writes.Expected.Keys);
        foreach (Dictionary<string, (ulong Version, string Value)> snapshot in snapshots)
        {
            keys.UnionWith(snapshot.Keys);
        }
        foreach (string key in keys)
        {
            (int first, int second) = HoldersOf(key);
            int other = 3 - first - second;
            Assert.False(snapshots[other].ContainsKey(key), $"worker {other} holds {key} of pair {PairOf(key)}");
            bool inFirst = snapshots[first].TryGetValue(key, out (ulong Version, string Value) a);
            bool inSecond = snapshots[second].TryGetValue(key, out (ulong Version, string Value) b);
            Assert.True(inFirst == inSecond, $"{key} (pair {PairOf(key)}) is on worker {(inFirst ? first : second)} only");
            if (inFirst)
            {
                Assert.True(a == b, $"{key} differs between worker {first} ({a}) and worker {second} ({b})");
            }
            Assert.True(writes.Expected.TryGetValue(key, out string? value), $"{key} was never written but worker {first} holds it");
            if (value == null)
            {
                Assert.False(inFirst, $"{key} was deleted but workers {first} and {second} hold it");
            }
            else
            {
                Assert.True(inFirst, $"{key} (pair {PairOf(key)}) is on neither worker {first} nor worker {second}");
                Assert.Equal(value, a.Value);
            }
        }
        for (int worker = 0; worker < Workers; worker++)
        {
            int w = worker;
            int live = writes.Expected.Count(e => e.Value != null && Holds(w, e.Key));
            Assert.True(snapshots[worker].Count == live, $"worker {worker} holds {snapshots[worker].Count} items, not the {live} of its two pairs");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task With_both_workers_of_a_pair_down_its_keys_are_unavailable_and_the_rest_are_served(int deadPair)
    {
        using LocalCluster cluster = LocalCluster.Start(Workers);
        await using EchoClient client = await cluster.ConnectAsync();
        var writes = new WriteLog();
        await writes.SetAsync(client, Enumerable.Range(0, 3000).Select(i => ($"key:{i}", $"a{i}")));
        Assert.Empty(writes.Unacknowledged);

        cluster.KillWorker(deadPair);
        cluster.KillWorker((deadPair + 1) % Workers);

        string[] keys = [.. writes.Expected.Keys];
        for (int round = 0; round < 2; round++)
        {
            for (int start = 0; start < keys.Length; start += 100)
            {
                string[] batch = keys[start..Math.Min(keys.Length, start + 100)];
                EchoReply[] gets = await Task.WhenAll(batch.Select(key => client.GetAsync(B(key))));
                for (int i = 0; i < batch.Length; i++)
                {
                    string key = batch[i];
                    if (PairOf(key) == deadPair)
                    {
                        Assert.True(gets[i].Status == BinaryStatus.Unavailable, $"{key} of the dead pair {deadPair} reads {gets[i].Status}");
                    }
                    else
                    {
                        Assert.True(gets[i].IsOk, $"{key} of pair {PairOf(key)}, which has a live worker, reads {gets[i].Status}");
                        Assert.Equal(writes.Expected[key], S(gets[i].Value));
                    }
                }
                // Writes too: refused for the dead pair, applied (and read back in the next round) for the others.
                EchoReply[] sets = await Task.WhenAll(batch.Select(key => client.SetAsync(B(key), B($"{key}/{round}"))));
                for (int i = 0; i < batch.Length; i++)
                {
                    string key = batch[i];
                    if (PairOf(key) == deadPair)
                    {
                        Assert.True(sets[i].Status == BinaryStatus.Unavailable, $"a write of {key} of the dead pair {deadPair} answers {sets[i].Status}");
                    }
                    else
                    {
                        Assert.True(sets[i].IsOk, $"a write of {key} of pair {PairOf(key)} answers {sets[i].Status}");
                        writes.Expected[key] = $"{key}/{round}";
                    }
                }
            }
        }
        Assert.Equal("UNAVAILABLE no live replica holds this key",
            RedisCli.Run(cluster.Port, "get", keys.First(key => PairOf(key) == deadPair)));
        string served = keys.First(key => PairOf(key) != deadPair);
        Assert.Equal(writes.Expected[served], RedisCli.Run(cluster.Port, "get", served));
    }

    [Fact]
    public async Task Reads_in_flight_when_their_replica_dies_are_answered_by_the_partner()
    {
        using LocalCluster cluster = LocalCluster.Start(Workers);
        const int Keys = 3000;
        const int InFlight = 256;
        const int ReadsAfterEachKill = 20_000;
        byte[][] keys = [.. Enumerable.Range(0, Keys).Select(i => B($"key:{i}"))];
        string[] values = [.. Enumerable.Range(0, Keys).Select(i => $"value:{i}:{new string('x', i % 50)}")];
        await using (EchoClient writer = await cluster.ConnectAsync())
        {
            for (int start = 0; start < Keys; start += 100)
            {
                EchoReply[] replies = await Task.WhenAll(Enumerable.Range(start, 100).Select(i => writer.SetAsync(keys[i], B(values[i]))));
                Assert.All(replies, r => Assert.Equal(BinaryStatus.Ok, r.Status));
            }
        }

        // 256 GETs in flight at all times over 4 connections, across two kills -9: worker 1, then (once it has been
        // restarted and resynced) worker 2. Every read must return the acknowledged value.
        var clients = new EchoClient[4];
        for (int c = 0; c < clients.Length; c++)
        {
            clients[c] = await cluster.ConnectAsync();
        }
        int[] phase = [0]; // 0 before kill 0, 1 during it, 2 after it; 3 during kill 1, 4 after it
        var errors = new ConcurrentQueue<string>();
        long completed = 0;
        long[] issuedAfter = new long[2];   // reads issued after kill k returned
        long[] straddling = new long[2];    // reads issued before kill k began and answered after it began
        using var stop = new CancellationTokenSource();
        try
        {
            Task[] readers = [.. Enumerable.Range(0, InFlight).Select(r => Task.Run(async () =>
            {
                var random = new Random(r);
                EchoClient client = clients[r % clients.Length];
                while (!stop.IsCancellationRequested && errors.IsEmpty)
                {
                    int k = random.Next(Keys);
                    int before = Volatile.Read(ref phase[0]);
                    EchoReply reply;
                    try
                    {
                        reply = await client.GetAsync(keys[k]);
                    }
                    catch (EchoClientException e)
                    {
                        errors.Enqueue($"GET key:{k} failed in phase {before}: {e.Message}");
                        return;
                    }
                    int after = Volatile.Read(ref phase[0]);
                    for (int kill = 0; kill < 2; kill++)
                    {
                        if (before >= 2 + (2 * kill)) Interlocked.Increment(ref issuedAfter[kill]);
                        if (before < 1 + (2 * kill) && after >= 1 + (2 * kill)) Interlocked.Increment(ref straddling[kill]);
                    }
                    if (!reply.IsOk || S(reply.Value) != values[k])
                    {
                        errors.Enqueue($"GET key:{k} in phase {before}..{after} answered {reply.Status} '{S(reply.Value)}', not '{values[k]}'");
                    }
                    Interlocked.Increment(ref completed);
                }
            }))];

            long Completed() => Interlocked.Read(ref completed);
            await WaitWhileReadingAsync(() => Completed() >= 5000 || !errors.IsEmpty, Completed, "5000 reads before the first kill");
            Volatile.Write(ref phase[0], 1);
            cluster.KillWorker(1);
            Volatile.Write(ref phase[0], 2);
            // Reads go on through the orchestrator's noticing the kill (INFO says so), and well past it.
            await cluster.WaitForDownAsync(1);
            await WaitWhileReadingAsync(() => Interlocked.Read(ref issuedAfter[0]) >= ReadsAfterEachKill || !errors.IsEmpty, Completed, "reads after the first kill");

            cluster.RestartWorker(1);
            await cluster.WaitForUpAsync(1);
            long resynced = Completed();
            await WaitWhileReadingAsync(() => Completed() >= resynced + 5000 || !errors.IsEmpty, Completed, "reads over the resynced worker");
            Volatile.Write(ref phase[0], 3);
            cluster.KillWorker(2);
            Volatile.Write(ref phase[0], 4);
            await cluster.WaitForDownAsync(2);
            await WaitWhileReadingAsync(() => Interlocked.Read(ref issuedAfter[1]) >= ReadsAfterEachKill || !errors.IsEmpty, Completed, "reads after the second kill");

            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (EchoClient client in clients)
            {
                await client.DisposeAsync();
            }
        }

        Assert.True(errors.IsEmpty, $"{errors.Count} bad reads, first: {string.Join("\n", errors.Take(10))}\n{cluster.Orchestrator.Output}");
        for (int kill = 0; kill < 2; kill++)
        {
            Assert.True(issuedAfter[kill] >= ReadsAfterEachKill, $"only {issuedAfter[kill]} reads were issued after kill {kill}");
            Assert.True(straddling[kill] > 0, $"no read was in flight across kill {kill}");
        }
    }

    /// <summary>
    /// With N ≥ 3 a worker is in two pairs: it can hold the last copy of one pair while the other pair still has an
    /// up member. It must not be flushed and refilled from that member alone, which holds only the other pair.
    /// </summary>
    [Fact]
    public async Task A_worker_holding_the_last_copy_of_one_pair_keeps_it_when_it_returns()
    {
        // A frozen worker is marked down by its unanswered health checks (after the harness's generous timeout, which
        // keeps a loaded machine from marking the others down too: that would refuse the writes below).
        using LocalCluster cluster = LocalCluster.Start(Workers);
        await using EchoClient client = await cluster.ConnectAsync();
        var writes = new WriteLog();
        await writes.SetAsync(client, Enumerable.Range(0, 900).Select(i => ($"key:{i}", $"a{i}")));
        Assert.True(writes.Failures.Count == 0, $"writes with every worker up: {string.Join(", ", writes.Failures.Take(10))}");

        // Worker 0 stops answering (SIGSTOP, like a partition) and is marked down; writes to pair 0 (w0, w1)
        // then reach worker 1 only, which holds their last copy.
        cluster.PauseWorker(0);
        await cluster.WaitForDownAsync(0);
        string[] pair0 = [.. Enumerable.Range(0, 900).Select(i => $"key:{i}").Where(key => PairOf(key) == 0)];
        await writes.SetAsync(client, pair0.Select(key => (key, $"{key}/while-w0-was-down")));
        Assert.True(writes.Failures.Count == 0, $"writes with worker 1 up: {string.Join(", ", writes.Failures.Take(10))}");

        // Worker 1 stops too: pair 0 has no live replica (Unavailable, not a guess), pair 1 lives on worker 2.
        cluster.PauseWorker(1);
        await cluster.WaitForDownAsync(1);
        Assert.Equal(BinaryStatus.Unavailable, (await client.GetAsync(B(pair0[0]))).Status);

        // Worker 1 runs on, as the same process, still holding the only copy of those writes: once it serves again,
        // they must read back (docs/consistency.md, Resync step 0: never flushed unless an up partner can refill it).
        cluster.ResumeWorker(1);
        await cluster.WaitForUpAsync(1);
        await AssertReadsAsync(client, writes, cluster);

        // And once worker 0 is back and resynced, everything is still there.
        cluster.ResumeWorker(0);
        await cluster.WaitForUpAsync(0);
        await AssertReadsAsync(client, writes, cluster);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds while reads go on: however slow the machine, it fails only when
    /// no read has completed (<paramref name="completed"/> has not moved) for 10 s, a stall rather than slowness.
    /// </summary>
    private static async Task WaitWhileReadingAsync(Func<bool> condition, Func<long> completed, string what)
    {
        var stalled = Stopwatch.StartNew();
        long seen = completed();
        while (!condition())
        {
            if (completed() != seen)
            {
                seen = completed();
                stalled.Restart();
            }
            Assert.True(stalled.Elapsed < TimeSpan.FromSeconds(10), $"waiting for {what}, no read completed for 10 s (after {seen})");
            await Task.Delay(5);
        }
    }

    /// <summary>Every acknowledged write reads back through the orchestrator (deleted keys: NotFound).</summary>
    private static async Task AssertReadsAsync(EchoClient client, WriteLog writes, LocalCluster? cluster = null)
    {
        string Log() => cluster == null ? "" : $"\norchestrator log:\n{cluster.Orchestrator.Output}";
        KeyValuePair<string, string?>[] expected = [.. writes.Expected.Where(e => !writes.Unacknowledged.Contains(e.Key))];
        for (int start = 0; start < expected.Length; start += 200)
        {
            KeyValuePair<string, string?>[] batch = expected[start..Math.Min(expected.Length, start + 200)];
            EchoReply[] gets = await Task.WhenAll(batch.Select(e => client.GetAsync(B(e.Key))));
            for (int i = 0; i < batch.Length; i++)
            {
                (string key, string? value) = batch[i];
                if (value == null)
                {
                    Assert.True(gets[i].Status == BinaryStatus.NotFound, $"deleted {key} reads {gets[i].Status}{Log()}");
                }
                else
                {
                    Assert.True(gets[i].IsOk, $"acknowledged {key} reads {gets[i].Status}{Log()}");
                    Assert.True(value == S(gets[i].Value), $"acknowledged {key} reads '{S(gets[i].Value)}', not '{value}'{Log()}");
                }
            }
        }
    }

    /// <summary>A worker's live items (tombstones left out) from its SNAPSHOT stream, read directly.</summary>
    private static async Task<Dictionary<string, (ulong Version, string Value)>> SnapshotAsync(LocalCluster cluster, int worker)
    {
        await using EchoClient direct = await cluster.ConnectToWorkerAsync(worker);
        IReadOnlyList<EchoReply> frames = await direct.SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default);
        var items = new Dictionary<string, (ulong Version, string Value)>(StringComparer.Ordinal);
        foreach (EchoReply frame in frames)
        {
            if (frame.Flags.HasFlag(BinaryFrameFlags.More) && !frame.Flags.HasFlag(BinaryFrameFlags.Tombstone))
            {
                Assert.True(items.TryAdd(S(frame.Key), (frame.Version, S(frame.Value))), $"{S(frame.Key)} twice in worker {worker}'s snapshot");
            }
        }
        return items;
    }
}
