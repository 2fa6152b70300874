using System.Diagnostics;
using System.Globalization;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>The published orchestrator over two published workers, driven over sockets.</summary>
public sealed class OrchestratorTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Writes_reach_both_workers_with_one_version()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        EchoReply set = await client.SetAsync(B("name"), B("tanson"));
        Assert.Equal(BinaryStatus.Ok, set.Status);
        Assert.Equal("tanson", Encoding.UTF8.GetString((await client.GetAsync(B("name"))).Value));
        await OrchestratorInfo.WaitForAllUpAsync(port);
        foreach (int workerPort in new[] { p0, p1 })
        {
            await using EchoClient direct = await EchoClient.ConnectAsync("127.0.0.1", workerPort);
            EchoReply copy = await direct.GetAsync(B("name"));
            Assert.Equal("tanson", Encoding.UTF8.GetString(copy.Value));
            Assert.Equal(set.Version, copy.Version);
        }
        Assert.Equal(BinaryStatus.Ok, (await client.DeleteAsync(B("name"))).Status);
        Assert.Equal(BinaryStatus.NotFound, (await client.GetAsync(B("name"))).Status);
        Assert.Equal(7, BitConverter.ToInt64((await client.IncrementAsync(B("n"), 7)).Value));
        IReadOnlyList<EchoReply> many = await client.MultiGetAsync([B("n"), B("missing")]);
        Assert.Equal("7", Encoding.UTF8.GetString(many[0].Value));
        Assert.Equal(BinaryStatus.NotFound, many[1].Status);
        Assert.Equal("missing", Encoding.UTF8.GetString(many[1].Key));
    }

    [Fact]
    public async Task Killing_a_worker_during_writes_loses_no_acknowledged_write()
    {
        // The kill is noticed by the reset connections. A generous health timeout keeps a loaded machine from marking a
        // worker down on its own: the frozen one before it is killed, or the survivor, whose writes would then be refused.
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1], "--health-timeout", "30000");
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);

        // 64 writers, each with one write of a key of its own in flight at all times, until told to stop.
        const int Lanes = 64, KillAfter = 1024, AfterKill = 1024, Most = 1 << 20;
        var requested = new bool[Most];
        var replies = new EchoReply?[Most];
        int next = -1;
        int answered = 0;
        using var stop = new CancellationTokenSource();
        Task[] lanes = [.. Enumerable.Range(0, Lanes).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                int i = Interlocked.Increment(ref next);
                Assert.True(i < Most, $"{Most} writes and still not told to stop");
                Task<EchoReply> write = client.SetAsync(B($"key:{i}"), B($"value:{i}"));
                Volatile.Write(ref requested[i], true);
                Volatile.Write(ref replies[i], await write);
                Interlocked.Increment(ref answered);
            }
        }))];
        int Requested() => Math.Min(Volatile.Read(ref next) + 1, Most);
        int[] InFlight() => [.. Enumerable.Range(0, Requested()).Where(i => Volatile.Read(ref requested[i]) && Volatile.Read(ref replies[i]) is null)];
        bool Failed() => lanes.Any(l => l.IsCompleted);

        // Once 1,024 are answered worker 0 freezes (SIGSTOP): what it has not answered stays unanswered, and the writers
        // block one by one on writes it holds. Once every writer waits, it is killed (-9) with all of them in flight.
        int[] inFlightAtKill;
        try
        {
            await WaitUntilAsync(() => Volatile.Read(ref answered) >= KillAfter || Failed(), () => $"{KillAfter} writes answered");
            w0.Pause();
            w0.WaitUntilStopped();
            await WaitUntilAsync(() => InFlight().Length == Lanes || Failed(), () => $"every writer to wait on the frozen worker ({InFlight().Length} of {Lanes} do)");
            inFlightAtKill = InFlight();
            int answeredAtKill = Volatile.Read(ref answered);
            w0.Kill();
            await WaitUntilAsync(() => Volatile.Read(ref answered) >= answeredAtKill + AfterKill || Failed(), () => $"{AfterKill} writes answered after the kill");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(lanes).WaitAsync(TimeSpan.FromSeconds(60));
        }

        // Every write was acknowledged: the survivor holds every key, those in flight at the kill included.
        int total = Requested();
        Assert.Equal(Lanes, inFlightAtKill.Length);
        string[] refused = [.. Enumerable.Range(0, total).Where(i => replies[i] is not { IsOk: true })
            .Select(i => $"key:{i} {replies[i]?.Status}{(inFlightAtKill.Contains(i) ? " (in flight at the kill)" : "")}")];
        Assert.True(refused.Length == 0, $"{refused.Length} of {total} writes not acknowledged with a live copy left: {string.Join(", ", refused.Take(10))}");
        using (RespConnection info = RespConnection.Connect(port, TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(["down", "up"], OrchestratorInfo.WorkerStates(info));
        }

        // And every one reads back, from the survivor alone.
        for (int start = 0; start < total; start += 256)
        {
            int count = Math.Min(256, total - start);
            EchoReply[] gets = await Task.WhenAll(Enumerable.Range(start, count).Select(i => client.GetAsync(B($"key:{i}"))));
            for (int r = 0; r < gets.Length; r++)
            {
                int i = start + r;
                Assert.True(gets[r].IsOk, $"acknowledged key:{i}{(inFlightAtKill.Contains(i) ? " (in flight at the kill)" : "")} reads {gets[r].Status}");
                Assert.Equal($"value:{i}", Encoding.UTF8.GetString(gets[r].Value));
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(30), $"waited 30 s for {what()}");
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task With_both_workers_down_the_answer_is_unavailable()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("k"), B("v"))).Status);
        w0.Kill();
        Assert.Equal("v", Encoding.UTF8.GetString((await client.GetAsync(B("k"))).Value));
        w1.Kill();
        Assert.Equal(BinaryStatus.Unavailable, (await client.GetAsync(B("k"))).Status);
        Assert.Equal(BinaryStatus.Unavailable, (await client.SetAsync(B("k"), B("w"))).Status);
        Assert.Equal("UNAVAILABLE no live replica holds this key", RedisCli.Run(port, "get", "k"));
        Assert.Equal("UNAVAILABLE no live replica holds this key", RedisCli.Run(port, "mset", "a", "1", "b", "2"));
        Assert.Equal("UNAVAILABLE no live replica holds this key", RedisCli.Run(port, "del", "a", "b"));
        Assert.Equal("UNAVAILABLE no live replica holds this key", RedisCli.Run(port, "exists", "a", "b"));
    }

    [Fact]
    public async Task Multi_key_del_exists_and_mset_work_through_the_orchestrator()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        Assert.Equal("OK", RedisCli.Run(port, "mset", "a", "1", "b", "2", "c", "3"));
        await OrchestratorInfo.WaitForAllUpAsync(port);
        Assert.Equal("1\n2\n3", RedisCli.Run(p0, "mget", "a", "b", "c")); // every key on both copies
        Assert.Equal("1\n2\n3", RedisCli.Run(p1, "mget", "a", "b", "c"));
        Assert.Equal("3", RedisCli.Run(port, "exists", "a", "b", "missing", "a")); // a key named twice counts twice
        Assert.Equal("2", RedisCli.Run(port, "del", "a", "b", "missing", "a")); // deleted once
        Assert.Equal("0", RedisCli.Run(port, "unlink", "a", "b"));
        Assert.Equal("1", RedisCli.Run(port, "unlink", "c", "a"));
        await OrchestratorInfo.WaitForAllUpAsync(port);
        Assert.Equal("0", RedisCli.Run(p1, "exists", "a", "b", "c"));
        Assert.Equal("ERR wrong number of arguments for 'mset' command", RedisCli.Run(port, "mset", "a", "1", "b"));

        // Pipelined, each reply in its place among the others.
        string replies = RedisCli.RunWithInput(port, "MSET x 1 y 2\nGET x\nEXISTS x y z\nDEL x y\nMGET x y\nPING\n");
        Assert.Equal("OK\n1\n2\n2\n\n\nPONG", replies);
    }

    [Fact]
    public async Task Redis_cli_works_through_the_orchestrator()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        Assert.Equal("PONG", RedisCli.Run(port, "ping"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "name", "tanson"));
        Assert.Equal("tanson", RedisCli.Run(port, "get", "name"));
        await OrchestratorInfo.WaitForAllUpAsync(port);
        Assert.Equal("tanson", RedisCli.Run(p1, "get", "name"));
        Assert.Equal("3", RedisCli.Run(port, "incrby", "n", "3"));
        Assert.Equal("1", RedisCli.Run(port, "del", "name"));
        Assert.Equal("0", RedisCli.Run(port, "exists", "name"));
        // What redis-benchmark and StackExchange.Redis ask at connect time, answered as a worker does.
        Assert.Equal("appendonly\nno", RedisCli.Run(port, "config", "get", "appendonly"));
        Assert.Equal("DATABASES\n1", RedisCli.Run(port, "config", "get", "DATABASES"));
    }

    [Fact]
    public async Task Bitmaps_lcs_and_far_expiries_reach_both_copies_and_time_and_function_flush_need_no_worker()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        Assert.Equal("0", RedisCli.Run(port, "setbit", "b", "7", "1"));
        Assert.Equal("1", RedisCli.Run(port, "setbit", "b", "7", "1"));
        Assert.Equal("1", RedisCli.Run(port, "getbit", "b", "7"));
        Assert.Equal("1", RedisCli.Run(port, "bitcount", "b"));
        await OrchestratorInfo.WaitForAllUpAsync(port);
        foreach (int worker in new[] { p0, p1 })
        {
            Assert.Equal("\\x01", RedisCli.Run(worker, "--no-raw", "get", "b").Trim('"'));
        }
        Assert.Equal("OK", RedisCli.Run(port, "mset", "{t}a", "ohmytext", "{t}b", "mynewtext"));
        Assert.Equal("mytext", RedisCli.Run(port, "lcs", "{t}a", "{t}b"));
        Assert.Equal("1", RedisCli.Run(port, "pexpireat", "b", "9223372036854770000"));
        string latest = EchoCache.Engine.EngineLimits.MaxExpiryUnixMs.ToString(CultureInfo.InvariantCulture);
        await OrchestratorInfo.WaitForAllUpAsync(port);
        Assert.Equal(latest, RedisCli.Run(p0, "pexpiretime", "b"));
        Assert.Equal(latest, RedisCli.Run(p1, "pexpiretime", "b"));

        w0.Kill();
        w1.Kill();
        Assert.Equal("OK", RedisCli.Run(port, "function", "flush"));
        long asked = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] time = RedisCli.Run(port, "time").Split('\n');
        long answered = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(long.Parse(time[0], CultureInfo.InvariantCulture), asked, answered);
        Assert.InRange(long.Parse(time[1], CultureInfo.InvariantCulture), 0, 999_999);
    }

    [Fact]
    public async Task Info_shows_each_worker_and_the_state_it_is_held_in()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        string info = RedisCli.Run(port, "info");
        Assert.Contains("echo_role:orchestrator", info, StringComparison.Ordinal);
        Assert.Contains("workers:2", info, StringComparison.Ordinal);
        Assert.Contains("workers_up:2", info, StringComparison.Ordinal);
        Assert.Contains($"worker0:address=127.0.0.1:{p0},state=up,", info, StringComparison.Ordinal);
        Assert.Contains($"worker1:address=127.0.0.1:{p1},state=up,", info, StringComparison.Ordinal);
        Assert.Contains("managed_allocated_bytes:", info, StringComparison.Ordinal);

        // A write to the dead worker's pair finds it gone; INFO then says so.
        w1.Kill();
        Assert.Equal("OK", RedisCli.Run(port, "set", "k", "v"));
        await OrchestratorInfo.WaitUntilAsync(port, states => states[1] == "down", TimeSpan.FromSeconds(30), "worker 1 to be down");
        info = RedisCli.Run(port, "info");
        Assert.Contains("workers_up:1", info, StringComparison.Ordinal);
        Assert.Contains($"worker1:address=127.0.0.1:{p1},state=down,", info, StringComparison.Ordinal);
        Assert.Contains($"worker0:address=127.0.0.1:{p0},state=up,", info, StringComparison.Ordinal);
    }

    [Fact]
    public void Pipelined_batches_through_the_orchestrator_allocate_nothing_once_warm()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        using System.Net.Sockets.Socket socket = RawResp.Connect(port);
        // 1,000 SETs of 64-byte values then 1,000 GETs of them, in one write: batches to each worker past the
        // links' 64 KiB buffers, and replies past a client's 16 KiB one.
        string value = new('v', 64);
        string batch = string.Concat(Enumerable.Range(0, 1000).Select(i => RawResp.Command("SET", $"key:{i:D4}", value)))
            + string.Concat(Enumerable.Range(0, 1000).Select(i => RawResp.Command("GET", $"key:{i:D4}")));
        byte[] requests = Encoding.ASCII.GetBytes(batch);
        byte[] replies = new byte[(1000 * 5) + (1000 * 71)];
        void Round()
        {
            socket.Send(requests);
            RawResp.ReadExactly(socket, replies);
        }

        // Warm: buffers sized, pools filled, and every entry of the client's reply ring (2,048 once grown) given a
        // buffer a GET's reply fits in. A round moves the ring 2,001 entries on, so GET replies reach new entries
        // for a few dozen rounds.
        for (int i = 0; i < 60; i++)
        {
            Round();
        }
        Assert.EndsWith($"$64\r\n{value}\r\n", Encoding.ASCII.GetString(replies), StringComparison.Ordinal);
        // Each reading is an INFO, which allocates its own text (more with every section INFO gains; the first one
        // after a while more again): a third reading right after the second measures one, and it is taken off.
        RawResp.ManagedAllocatedBytes(socket);
        long before = RawResp.ManagedAllocatedBytes(socket);
        for (int i = 0; i < 10; i++)
        {
            Round();
        }
        long after = RawResp.ManagedAllocatedBytes(socket);
        long info = RawResp.ManagedAllocatedBytes(socket) - after;
        // 20,000 requests between the readings: nothing is left once INFO is taken off but the background's odd bytes.
        // Growing the links' buffers afresh for every batch (as the orchestrator once did) shows as about 9 MB here.
        Assert.InRange(after - before - info, -1024, 4 * 1024);
    }

    [Fact]
    public async Task Expiry_and_multi_get_work_through_the_orchestrator_and_both_copies_expire_together()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        var since = Stopwatch.StartNew();
        Assert.Equal("OK", RedisCli.Run(port, "setex", "s", "100", "v"));
        AssertTimeToLive(RedisCli.Run(port, "ttl", "s"), 100, since);
        since.Restart();
        Assert.Equal("OK", RedisCli.Run(port, "psetex", "p", "50000", "v"));
        AssertTimeToLive(RedisCli.Run(port, "pttl", "p"), 50_000, since, perSecond: 1000);
        since.Restart();
        Assert.Equal("OK", RedisCli.Run(port, "set", "x", "v", "EX", "200"));
        AssertTimeToLive(RedisCli.Run(port, "ttl", "x"), 200, since);
        since.Restart();
        long at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300; // up to a second less than 300 s from now
        Assert.Equal("OK", RedisCli.Run(port, "set", "y", "v", "EXAT", at.ToString(CultureInfo.InvariantCulture)));
        AssertTimeToLive(RedisCli.Run(port, "ttl", "y"), 300, since, slack: 1);
        Assert.Equal("-2", RedisCli.Run(port, "ttl", "missing"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "plain", "v"));
        Assert.Equal("-1", RedisCli.Run(port, "ttl", "plain"));
        since.Restart();
        Assert.Equal("1", RedisCli.Run(port, "expire", "plain", "30"));
        AssertTimeToLive(RedisCli.Run(port, "ttl", "plain"), 30, since);
        Assert.Equal("0", RedisCli.Run(port, "expire", "missing", "30"));
        Assert.Equal("1", RedisCli.Run(port, "pexpire", "plain", "0")); // not positive: deleted, as in Redis
        Assert.Equal("-2", RedisCli.Run(port, "ttl", "plain"));
        Assert.Equal("ERR invalid expire time in 'setex' command", RedisCli.Run(port, "setex", "s", "0", "v"));
        Assert.Equal("ERR value is not an integer or out of range", RedisCli.Run(port, "expire", "s", "soon"));
        Assert.Equal("v\n\nv", RedisCli.Run(port, "mget", "s", "missing", "x")); // the missing key: an empty line

        // One expiry instant, set by the orchestrator, on both copies.
        await OrchestratorInfo.WaitForAllUpAsync(port);
        await using EchoClient c0 = await EchoClient.ConnectAsync("127.0.0.1", p0);
        await using EchoClient c1 = await EchoClient.ConnectAsync("127.0.0.1", p1);
        foreach (string key in new[] { "s", "p", "x", "y" })
        {
            EchoReply a = await c0.GetAsync(B(key)), b = await c1.GetAsync(B(key));
            Assert.NotEqual(0, a.Expiry);
            Assert.Equal(a.Expiry, b.Expiry);
        }
    }

    /// <summary>
    /// A TTL (or PTTL, <paramref name="perSecond"/> 1000) read back at most <paramref name="since"/> after the key was
    /// given <paramref name="timeToLive"/>: no more than that, and no less than that less the time since, in the reply's
    /// unit rounded up, one more for the server's rounding, and <paramref name="slack"/> more.
    /// </summary>
    private static void AssertTimeToLive(string reply, long timeToLive, Stopwatch since, int perSecond = 1, int slack = 0)
    {
        long elapsed = (long)Math.Ceiling(since.Elapsed.TotalSeconds * perSecond);
        Assert.InRange(long.Parse(reply, CultureInfo.InvariantCulture), timeToLive - elapsed - 1 - slack, timeToLive);
    }

    [Theory]
    [InlineData(new[] { "8000" }, "give at least two workers")]
    [InlineData(new[] { "8000", "127.0.0.1", "3000" }, "give at least two workers")]
    [InlineData(new[] { "8000", "localhost", "3000", "127.0.0.1", "3001" }, "worker address must be an IP address")]
    [InlineData(new[] { "8000", "127.0.0.1", "3000", "127.0.0.1", "3000" }, "worker 127.0.0.1:3000 is listed twice")]
    [InlineData(new[] { "8000", "127.0.0.1", "3000", "127.0.0.1", "3001", "--poll", "-5" }, "--poll must be a whole number from 0 to 10000")]
    public void A_bad_command_line_gets_a_clear_message_and_exit_code_2(string[] arguments, string message)
    {
        using HostProcess orchestrator = HostProcess.Start("orchestrator", arguments);
        Assert.True(orchestrator.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, orchestrator.ExitCode);
        Assert.Contains(message, orchestrator.Output, StringComparison.Ordinal);
    }
}
