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
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);

        // Writes go out 64 at a time; worker 0 is killed (-9) part-way, with writes in flight.
        var acknowledged = new List<int>();
        for (int batch = 0; batch < 64; batch++)
        {
            if (batch == 32)
            {
                w0.Kill();
            }
            int first = batch * 64;
            EchoReply[] replies = await Task.WhenAll(Enumerable.Range(first, 64)
                .Select(i => client.SetAsync(B($"key:{i}"), B($"value:{i}"))));
            for (int r = 0; r < replies.Length; r++)
            {
                if (replies[r].IsOk)
                {
                    acknowledged.Add(first + r);
                }
            }
        }
        Assert.True(acknowledged.Count > 3000, $"only {acknowledged.Count} of 4096 writes were acknowledged");
        foreach (int i in acknowledged)
        {
            EchoReply get = await client.GetAsync(B($"key:{i}"));
            Assert.True(get.IsOk, $"acknowledged key:{i} reads {get.Status}");
            Assert.Equal($"value:{i}", Encoding.UTF8.GetString(get.Value));
        }
    }

    [Fact]
    public async Task With_both_workers_down_the_answer_is_unavailable()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        await client.SetAsync(B("k"), B("v"));
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
    public void Multi_key_del_exists_and_mset_work_through_the_orchestrator()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        Assert.Equal("OK", RedisCli.Run(port, "mset", "a", "1", "b", "2", "c", "3"));
        Assert.Equal("1\n2\n3", RedisCli.Run(p0, "mget", "a", "b", "c")); // every key on both copies
        Assert.Equal("1\n2\n3", RedisCli.Run(p1, "mget", "a", "b", "c"));
        Assert.Equal("3", RedisCli.Run(port, "exists", "a", "b", "missing", "a")); // a key named twice counts twice
        Assert.Equal("2", RedisCli.Run(port, "del", "a", "b", "missing", "a")); // deleted once
        Assert.Equal("0", RedisCli.Run(port, "unlink", "a", "b"));
        Assert.Equal("1", RedisCli.Run(port, "unlink", "c", "a"));
        Assert.Equal("0", RedisCli.Run(p1, "exists", "a", "b", "c"));
        Assert.Equal("ERR wrong number of arguments for 'mset' command", RedisCli.Run(port, "mset", "a", "1", "b"));

        // Pipelined, each reply in its place among the others.
        string replies = RedisCli.RunWithInput(port, "MSET x 1 y 2\nGET x\nEXISTS x y z\nDEL x y\nMGET x y\nPING\n");
        Assert.Equal("OK\n1\n2\n2\n\n\nPONG", replies);
    }

    [Fact]
    public void Redis_cli_works_through_the_orchestrator()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        Assert.Equal("PONG", RedisCli.Run(port, "ping"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "name", "tanson"));
        Assert.Equal("tanson", RedisCli.Run(port, "get", "name"));
        Assert.Equal("tanson", RedisCli.Run(p1, "get", "name"));
        Assert.Equal("3", RedisCli.Run(port, "incrby", "n", "3"));
        Assert.Equal("1", RedisCli.Run(port, "del", "name"));
        Assert.Equal("0", RedisCli.Run(port, "exists", "name"));
        // What redis-benchmark and StackExchange.Redis ask at connect time, answered as a worker does.
        Assert.Equal("appendonly\nno", RedisCli.Run(port, "config", "get", "appendonly"));
        Assert.Equal("DATABASES\n1", RedisCli.Run(port, "config", "get", "DATABASES"));
    }

    [Fact]
    public void Bitmaps_lcs_and_far_expiries_reach_both_copies_and_time_and_function_flush_need_no_worker()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
        Assert.Equal("0", RedisCli.Run(port, "setbit", "b", "7", "1"));
        Assert.Equal("1", RedisCli.Run(port, "setbit", "b", "7", "1"));
        Assert.Equal("1", RedisCli.Run(port, "getbit", "b", "7"));
        Assert.Equal("1", RedisCli.Run(port, "bitcount", "b"));
        foreach (int worker in new[] { p0, p1 })
        {
            Assert.Equal("\\x01", RedisCli.Run(worker, "--no-raw", "get", "b").Trim('"'));
        }
        Assert.Equal("OK", RedisCli.Run(port, "mset", "{t}a", "ohmytext", "{t}b", "mynewtext"));
        Assert.Equal("mytext", RedisCli.Run(port, "lcs", "{t}a", "{t}b"));
        Assert.Equal("1", RedisCli.Run(port, "pexpireat", "b", "9223372036854770000"));
        string latest = EchoCache.Engine.EngineLimits.MaxExpiryUnixMs.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(latest, RedisCli.Run(p0, "pexpiretime", "b"));
        Assert.Equal(latest, RedisCli.Run(p1, "pexpiretime", "b"));

        w0.Kill();
        w1.Kill();
        Assert.Equal("OK", RedisCli.Run(port, "function", "flush"));
        string[] time = RedisCli.Run(port, "time").Split('\n');
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(long.Parse(time[0], CultureInfo.InvariantCulture), now - 5, now + 1);
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
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(info = RedisCli.Run(port, "info")).Contains("workers_up:1", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }
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
        Assert.Equal("OK", RedisCli.Run(port, "setex", "s", "100", "v"));
        Assert.InRange(int.Parse(RedisCli.Run(port, "ttl", "s"), CultureInfo.InvariantCulture), 99, 100);
        Assert.Equal("OK", RedisCli.Run(port, "psetex", "p", "50000", "v"));
        Assert.InRange(long.Parse(RedisCli.Run(port, "pttl", "p"), CultureInfo.InvariantCulture), 40_000, 50_000);
        Assert.Equal("OK", RedisCli.Run(port, "set", "x", "v", "EX", "200"));
        Assert.InRange(int.Parse(RedisCli.Run(port, "ttl", "x"), CultureInfo.InvariantCulture), 199, 200);
        long at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300;
        Assert.Equal("OK", RedisCli.Run(port, "set", "y", "v", "EXAT", at.ToString(CultureInfo.InvariantCulture)));
        Assert.InRange(int.Parse(RedisCli.Run(port, "ttl", "y"), CultureInfo.InvariantCulture), 298, 300);
        Assert.Equal("-2", RedisCli.Run(port, "ttl", "missing"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "plain", "v"));
        Assert.Equal("-1", RedisCli.Run(port, "ttl", "plain"));
        Assert.Equal("1", RedisCli.Run(port, "expire", "plain", "30"));
        Assert.InRange(int.Parse(RedisCli.Run(port, "ttl", "plain"), CultureInfo.InvariantCulture), 29, 30);
        Assert.Equal("0", RedisCli.Run(port, "expire", "missing", "30"));
        Assert.Equal("1", RedisCli.Run(port, "pexpire", "plain", "0")); // not positive: deleted, as in Redis
        Assert.Equal("-2", RedisCli.Run(port, "ttl", "plain"));
        Assert.Equal("ERR invalid expire time in 'setex' command", RedisCli.Run(port, "setex", "s", "0", "v"));
        Assert.Equal("ERR value is not an integer or out of range", RedisCli.Run(port, "expire", "s", "soon"));
        Assert.Equal("v\n\nv", RedisCli.Run(port, "mget", "s", "missing", "x")); // the missing key: an empty line

        // One expiry instant, set by the orchestrator, on both copies.
        await using EchoClient c0 = await EchoClient.ConnectAsync("127.0.0.1", p0);
        await using EchoClient c1 = await EchoClient.ConnectAsync("127.0.0.1", p1);
        foreach (string key in new[] { "s", "p", "x", "y" })
        {
            EchoReply a = await c0.GetAsync(B(key)), b = await c1.GetAsync(B(key));
            Assert.NotEqual(0, a.Expiry);
            Assert.Equal(a.Expiry, b.Expiry);
        }
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
