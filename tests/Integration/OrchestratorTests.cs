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
    [InlineData(new[] { "8000", "127.0.0.1", "3000", "127.0.0.1", "3000" }, "is listed twice")]
    public void A_bad_command_line_gets_a_clear_message_and_exit_code_2(string[] arguments, string message)
    {
        using HostProcess orchestrator = HostProcess.Start("orchestrator", arguments);
        Assert.True(orchestrator.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, orchestrator.ExitCode);
        Assert.Contains(message, orchestrator.Output, StringComparison.Ordinal);
    }
}
