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
