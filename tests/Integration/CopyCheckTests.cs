using System.Globalization;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using Xunit.Abstractions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The orchestrator's background copy check (docs/consistency.md, "Copy check"), with the real executables: copies
/// made to differ by writing straight to one worker — a changed value, an extra key, a key removed without a trace,
/// a key deleted by a newer tombstone, a key set at a newer version, an extra key with an expiry — are found and
/// repaired, newer version winning, each counted once in INFO and logged; and under live writes through the
/// orchestrator the check finds nothing to repair, until one difference is made, which it then finds alone.
/// </summary>
public sealed class CopyCheckTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(60);
    private const int Keys = 300;

    private sealed record Expected(string Key, string? Value, ulong Version, long Expiry);

    /// <summary>
    /// A short check interval. The harness's generous health timeout (<see cref="HostProcess.HealthTimeoutMs"/>) matters
    /// here too: a worker a loaded machine got marked down would be refilled before the check could find what was made
    /// different.
    /// </summary>
    private static string[] ClusterOptions(string interval) => ["--copy-check-interval", interval];

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Differences_made_on_one_copy_are_found_and_repaired_newer_version_winning(int workers)
    {
        using LocalCluster cluster = LocalCluster.Start(workers, ClusterOptions("200"));
        var map = new SlotMap(workers);
        using (RespConnection client = RespConnection.Connect(cluster.Port, RequestTimeout))
        {
            for (int i = 0; i < Keys; i++)
            {
                Assert.True(client.Call("SET", $"key:{i}", $"v0:{i}").IsStatus("OK"));
            }
        }

        // Rounds that began after those writes find the copies alike.
        CopyCheckCounters settled = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= 1, WaitTimeout, "a first round");
        settled = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= settled.Rounds + 2, WaitTimeout, "two rounds after the writes");
        Assert.Equal(0, settled.Differences);
        Assert.Equal(0, settled.ItemsRepaired);
        Assert.Equal(0, settled.PairsSkipped);

        // Seven differences, each on a key of a slot of its own, made on one copy of the key (alternating between the
        // key's two holders, so repairs go both ways).
        var used = new HashSet<int>();
        string Pick(string prefix) => Enumerable.Range(0, prefix == "key:" ? Keys : 100_000).Select(i => $"{prefix}{i}")
            .First(k => used.Add(SlotMap.SlotOf(Encoding.UTF8.GetBytes(k))));
        int turn = 0;
        int Holder(string key)
        {
            int slot = SlotMap.SlotOf(Encoding.UTF8.GetBytes(key));
            return turn++ % 2 == 0 ? map.PrimaryOf(slot) : map.PartnerOf(slot);
        }
        var expected = new List<Expected>();
        for (int i = 0; i < Keys; i++)
        {
            expected.Add(new Expected($"key:{i}", $"v0:{i}", 0, 0)); // the version is the orchestrator's, read below
        }
        var injected = new List<string>();
        long expiry = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;

        // 1, 2. A value changed by a client writing straight to a copy (RESP SET: the worker's own, newer version), on
        //       either copy of the pair.
        foreach (string key in new[] { Pick("key:"), Pick("key:") })
        {
            int holder = Holder(key);
            Assert.True(RespCall(cluster.WorkerPort(holder), "SET", key, "direct").IsStatus("OK"));
            EchoReply held = await ReadAsync(cluster, holder, key);
            Replace(expected, new Expected(key, "direct", held.Version, 0));
            injected.Add(key);
        }
        // 3. A key only one copy holds.
        {
            string key = Pick("extra:");
            int holder = Holder(key);
            Assert.True(RespCall(cluster.WorkerPort(holder), "SET", key, "extra").IsStatus("OK"));
            EchoReply held = await ReadAsync(cluster, holder, key);
            expected.Add(new Expected(key, "extra", held.Version, 0));
            injected.Add(key);
        }
        // 4. A key removed from one copy without a tombstone: nothing newer says it is gone, so it comes back.
        {
            string key = Pick("key:");
            int holder = Holder(key);
            Assert.Equal(1, RespCall(cluster.WorkerPort(holder), "DEL", key).Integer);
            injected.Add(key);
        }
        // 5. A key deleted on one copy by a newer tombstone (a replica delete): it goes from the other too.
        {
            string key = Pick("key:");
            int holder = Holder(key);
            EchoReply held = await ReadAsync(cluster, holder, key);
            Assert.Equal(BinaryStatus.Ok, (await SendAsync(cluster, holder, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete, Version = held.Version + 1 }, key, "")).Status);
            Replace(expected, new Expected(key, null, 0, 0));
            injected.Add(key);
        }
        // 6. A key set on one copy at a newer version (a replica write).
        {
            string key = Pick("key:");
            int holder = Holder(key);
            EchoReply held = await ReadAsync(cluster, holder, key);
            Assert.Equal(BinaryStatus.Ok, (await SendAsync(cluster, holder, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Version = held.Version + 1 }, key, "newer")).Status);
            Replace(expected, new Expected(key, "newer", held.Version + 1, 0));
            injected.Add(key);
        }
        // 7. A key with an expiry and item flags that only one copy holds.
        {
            string key = Pick("expiring:");
            int holder = Holder(key);
            // A version of the orchestrator's form (Unix milliseconds above 20 bits), of now: below the cutoff of any
            // round that starts later.
            ulong version = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << VersionClock.CounterBits;
            var header = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Version = version, Flags = BinaryFrameFlags.AbsoluteExpiry, Expiry = expiry, ItemFlags = 77 };
            Assert.Equal(BinaryStatus.Ok, (await SendAsync(cluster, holder, header, key, "expiring")).Status);
            expected.Add(new Expected(key, "expiring", version, expiry));
            injected.Add(key);
        }

        // Each difference found and repaired once: wait for all seven, then two more whole rounds that find nothing new.
        CopyCheckCounters repaired = await CopyCheckCounters.WaitUntilAsync(cluster,
            c => c.ItemsRepaired >= injected.Count && c.Differences >= injected.Count, WaitTimeout, $"{injected.Count} repairs");
        CopyCheckCounters after = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= repaired.Rounds + 2, WaitTimeout, "two rounds after the repairs");
        output.WriteLine($"before: {settled}; after: {after}");
        Assert.Equal(injected.Count, after.Differences);
        Assert.Equal(injected.Count, after.ItemsRepaired);
        Assert.Equal(0, after.PairsSkipped);
        Assert.True(after.SlotsChecked >= after.Rounds * SlotMap.SlotCount, $"{after.SlotsChecked} slots checked in {after.Rounds} rounds");

        // Each difference is logged, with its slot and a key.
        foreach (string key in injected)
        {
            int slot = SlotMap.SlotOf(Encoding.UTF8.GetBytes(key));
            cluster.Orchestrator.WaitForOutput($"copy check: slot {slot} differed between worker");
            cluster.Orchestrator.WaitForOutput($"\"{key}\"");
        }

        // Both copies of every key now hold the same item: the newer one, or nothing.
        foreach (Expected item in expected)
        {
            int slot = SlotMap.SlotOf(Encoding.UTF8.GetBytes(item.Key));
            EchoReply first = await ReadAsync(cluster, map.PrimaryOf(slot), item.Key);
            EchoReply second = await ReadAsync(cluster, map.PartnerOf(slot), item.Key);
            string seen = $"{item.Key}: worker {map.PrimaryOf(slot)} {Describe(first)}, worker {map.PartnerOf(slot)} {Describe(second)}";
            Assert.True(Describe(first) == Describe(second), $"the copies differ: {seen}");
            if (item.Value == null)
            {
                Assert.True(first.Status == BinaryStatus.NotFound, $"expected no {seen}");
                continue;
            }
            Assert.True(first.IsOk && Encoding.UTF8.GetString(first.Value) == item.Value, $"expected \"{item.Value}\": {seen}");
            Assert.True(item.Version == 0 || first.Version == item.Version, $"expected version {item.Version}: {seen}");
            Assert.Equal(item.Expiry, first.Expiry);
            if (item.Expiry != 0)
            {
                Assert.Equal(77U, first.ItemFlags);
            }
        }
        await AssertPairsHoldTheSameItemsAsync(cluster);
    }

    [Fact]
    public async Task A_copy_flushed_behind_the_orchestrators_back_is_refilled_slot_by_slot()
    {
        const int Written = 3000;
        using LocalCluster cluster = LocalCluster.Start(2, ClusterOptions("200"));
        using (RespConnection client = RespConnection.Connect(cluster.Port, RequestTimeout))
        {
            for (int start = 0; start < Written; start += 500)
            {
                var arguments = new List<string> { "MSET" };
                for (int i = start; i < start + 500; i++)
                {
                    arguments.AddRange([$"key:{i}", $"value {i}"]);
                }
                Assert.True(client.Call([.. arguments]).IsStatus("OK"));
            }
        }
        CopyCheckCounters before = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= 2, WaitTimeout, "two rounds");
        Assert.Equal(0, before.Differences);

        // FLUSHALL straight to worker 1: every slot holding a key now differs.
        Assert.True(RespCall(cluster.WorkerPort(1), "FLUSHALL").IsStatus("OK"));
        int slots = Enumerable.Range(0, Written).Select(i => SlotMap.SlotOf(Encoding.UTF8.GetBytes($"key:{i}"))).Distinct().Count();
        CopyCheckCounters repaired = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.ItemsRepaired >= Written, WaitTimeout, $"{Written} items repaired");
        CopyCheckCounters after = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= repaired.Rounds + 2, WaitTimeout, "two rounds after the repair");
        output.WriteLine($"{slots} slots held keys; {after}");
        Assert.Equal(slots, after.Differences);
        Assert.Equal(Written, after.ItemsRepaired);
        // Twenty slots are logged one by one, the rest in one line (after them).
        cluster.Orchestrator.WaitForOutput($"copy check: {slots - 20} more slots differed between worker 0 and worker 1: ");
        Assert.Equal(20, cluster.Orchestrator.Output.Split('\n').Count(line => line.Contains("copy check: slot", StringComparison.Ordinal)));
        Assert.Contains($"copy check: {slots - 20} more slots differed between worker 0 and worker 1: {Written - LoggedItems(cluster.Orchestrator.Output)} items repaired", cluster.Orchestrator.Output, StringComparison.Ordinal);
        await AssertPairsHoldTheSameItemsAsync(cluster);
        using RespConnection direct = RespConnection.Connect(cluster.WorkerPort(1), RequestTimeout);
        Assert.Equal(Written, direct.Call("DBSIZE").Integer);
    }

    /// <summary>The items repaired in the slots the log names one by one.</summary>
    private static long LoggedItems(string log) => System.Text.RegularExpressions.Regex.Matches(log, @"copy check: slot \d+ differed between worker \d+ and worker \d+: (\d+) items repaired")
        .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task Under_live_writes_through_the_orchestrator_the_check_repairs_nothing_but_what_was_made_different()
    {
        const int Writers = 4;
        // At debug level the orchestrator logs each slot whose digests differed only by writes racing the check.
        using LocalCluster cluster = LocalCluster.Start(3, [.. ClusterOptions("100"), "--log-level", "debug"]);
        using var stop = new CancellationTokenSource();
        long[] done = new long[Writers];
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(() =>
        {
            using RespConnection connection = RespConnection.Connect(cluster.Port, RequestTimeout);
            var random = new Random(w);
            while (!stop.IsCancellationRequested)
            {
                string key = $"live:{random.Next(2000)}";
                RespReply reply = (random.Next(8)) switch
                {
                    0 => connection.Call("SET", key, $"v{random.Next()}"),
                    1 => connection.Call("SET", key, "t", "PX", random.Next(200, 20_000).ToString(CultureInfo.InvariantCulture)),
                    2 => connection.Call("DEL", key),
                    3 => connection.Call("INCR", $"count:{random.Next(100)}"),
                    4 => connection.Call("APPEND", key, "+"),
                    5 => connection.Call("PEXPIRE", key, random.Next(100, 15_000).ToString(CultureInfo.InvariantCulture)),
                    6 => connection.Call("GETDEL", key),
                    _ => connection.Call("MSET", key, "m", $"{{{key}}}:b", "m"),
                };
                Assert.False(reply.IsError, $"{key}: {reply}");
                Interlocked.Increment(ref done[w]);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        CopyCheckCounters start, quiet, end;
        try
        {
            start = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= 1, WaitTimeout, "a first round under load");
            quiet = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= start.Rounds + 5, WaitTimeout, "five rounds under load");

            // The same check, under the same load, does see a difference made on one copy: one, and only that one.
            string key = "made:1";
            int slot = SlotMap.SlotOf(Encoding.UTF8.GetBytes(key));
            Assert.True(RespCall(cluster.WorkerPort(new SlotMap(3).PrimaryOf(slot)), "SET", key, "on one copy").IsStatus("OK"));
            CopyCheckCounters found = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.ItemsRepaired >= 1, WaitTimeout, "the difference to be repaired");
            end = await CopyCheckCounters.WaitUntilAsync(cluster, c => c.Rounds >= found.Rounds + 2, WaitTimeout, "two rounds after the repair");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        int races = cluster.Orchestrator.Output.Split('\n').Count(line => line.Contains("differed only by writes racing the check", StringComparison.Ordinal));
        output.WriteLine($"{done.Sum()} writes; after five rounds: {quiet}; at the end: {end}; {races} slots differed only by racing writes");
        Assert.True(done.Sum() >= 1000, $"only {done.Sum()} writes ran during the check");
        Assert.Equal(0, quiet.Differences);
        Assert.Equal(0, quiet.ItemsRepaired);
        Assert.Equal(0, quiet.VersionsAhead);
        Assert.Equal(0, quiet.PairsSkipped);
        Assert.True(quiet.SlotsChecked >= quiet.Rounds * SlotMap.SlotCount, $"{quiet.SlotsChecked} slots checked in {quiet.Rounds} rounds");
        Assert.Equal(1, end.Differences);
        Assert.Equal(1, end.ItemsRepaired);
        Assert.Equal(0, end.PairsSkipped);
        cluster.Orchestrator.WaitForOutput("\"made:1\"");
        Assert.Single(cluster.Orchestrator.Output.Split('\n'), line => line.Contains("copy check: slot", StringComparison.Ordinal) && line.Contains("differed between", StringComparison.Ordinal));
        await AssertPairsHoldTheSameItemsAsync(cluster);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("86400001")]
    public void A_bad_interval_is_refused_with_the_usage(string interval)
    {
        using HostProcess orchestrator = HostProcess.Start("orchestrator", HostProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            "127.0.0.1", "1", "127.0.0.1", "2", "--copy-check-interval", interval);
        Assert.True(orchestrator.WaitForExit(RequestTimeout), "the orchestrator did not exit");
        Assert.Equal(2, orchestrator.ExitCode);
        Assert.Contains($"orchestrator: --copy-check-interval must be a whole number from 0 to 86400000, not '{interval}'", orchestrator.StandardError, StringComparison.Ordinal);
        Assert.Contains("--copy-check-interval <ms>", orchestrator.StandardError, StringComparison.Ordinal);
    }

    /// <summary>
    /// For each replica pair, the live items of the pair's slots (key, version, value, expiry, item flags) in each of
    /// its two workers' SNAPSHOT streams: both copies hold the same ones. Items expiring within a minute are left out
    /// of both: each worker judges expiry in a snapshot by its own view of the orchestrator's clock, and the two
    /// streams are taken one after the other.
    /// </summary>
    private static async Task AssertPairsHoldTheSameItemsAsync(LocalCluster cluster)
    {
        var map = new SlotMap(cluster.WorkerCount);
        long soon = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000;
        var items = new List<(int Pair, string Item)>[cluster.WorkerCount];
        for (int w = 0; w < cluster.WorkerCount; w++)
        {
            using var timeout = new CancellationTokenSource(RequestTimeout);
            await using EchoClient direct = await cluster.ConnectToWorkerAsync(w);
            IReadOnlyList<EchoReply> frames = await direct.SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default, timeout.Token);
            items[w] = [.. frames
                .Where(f => f.Flags.HasFlag(BinaryFrameFlags.More) && !f.Flags.HasFlag(BinaryFrameFlags.Tombstone) && (f.Expiry == 0 || f.Expiry > soon))
                .Select(f => (map.PairOf(SlotMap.SlotOf(f.Key)),
                    $"{Encoding.UTF8.GetString(f.Key)} v{f.Version} exp{f.Expiry} flags{f.ItemFlags} {Convert.ToHexString(f.Value)}"))];
        }
        for (int pair = 0; pair < map.PairCount; pair++)
        {
            int primary = map.PrimaryOf(pair), partner = map.PartnerOf(pair);
            string[] first = [.. items[primary].Where(i => i.Pair == pair).Select(i => i.Item).Order(StringComparer.Ordinal)];
            string[] second = [.. items[partner].Where(i => i.Pair == pair).Select(i => i.Item).Order(StringComparer.Ordinal)];
            string[] onlyFirst = [.. first.Except(second)], onlySecond = [.. second.Except(first)];
            Assert.True(onlyFirst.Length == 0 && onlySecond.Length == 0,
                $"pair {pair}: only worker {primary} holds {string.Join("; ", onlyFirst.Take(5))}; only worker {partner} holds {string.Join("; ", onlySecond.Take(5))}");
        }
    }

    private static void Replace(List<Expected> expected, Expected item) =>
        expected[expected.FindIndex(e => e.Key == item.Key)] = item;

    private static string Describe(EchoReply reply) => reply.Status == BinaryStatus.Ok
        ? $"\"{Encoding.UTF8.GetString(reply.Value)}\" v{reply.Version} exp{reply.Expiry} flags{reply.ItemFlags}"
        : reply.Status.ToString();

    private static RespReply RespCall(int port, params string[] arguments)
    {
        using RespConnection connection = RespConnection.Connect(port, RequestTimeout);
        return connection.Call(arguments);
    }

    private static Task<EchoReply> ReadAsync(LocalCluster cluster, int worker, string key) =>
        SendAsync(cluster, worker, new BinaryFrameHeader { Opcode = BinaryOpcode.Get }, key, "");

    private static async Task<EchoReply> SendAsync(LocalCluster cluster, int worker, BinaryFrameHeader header, string key, string value)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        await using EchoClient client = await cluster.ConnectToWorkerAsync(worker);
        return await client.SendOneAsync(header, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), timeout.Token);
    }
}
