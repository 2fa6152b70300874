using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>An orchestrator restarted over the same workers moves no version backwards and serves no stale read.</summary>
public sealed class OrchestratorRestartTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Versions_keep_growing_and_reads_see_the_last_write_across_a_restart()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        ulong before;
        int port;
        using (HostProcess first = HostProcess.StartOrchestrator(out port, [p0, p1]))
        {
            await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
            for (int i = 0; i < 1000; i++)
            {
                Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B($"k{i % 10}"), B($"first-{i}"))).Status);
            }
            EchoReply last = await client.SetAsync(B("k"), B("before"));
            Assert.Equal(BinaryStatus.Ok, last.Status);
            before = last.Version;
            first.Terminate();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
        }

        using HostProcess second = HostProcess.StartOrchestrator(out int port2, [p0, p1]);
        await using EchoClient again = await EchoClient.ConnectAsync("127.0.0.1", port2);
        // No stale read: every read, from either copy, sees the last acknowledged write.
        for (int i = 0; i < 20; i++)
        {
            foreach ((string key, string value) in new[] { ("k", "before"), ("k9", "first-999") })
            {
                EchoReply read = await again.GetAsync(B(key));
                Assert.True(read.IsOk, $"{key} reads {read.Status}");
                Assert.Equal(value, Encoding.UTF8.GetString(read.Value));
            }
        }
        // No version goes backwards: the next write's version is above every earlier one, on both copies.
        EchoReply after = await again.SetAsync(B("k"), B("after"));
        Assert.Equal(BinaryStatus.Ok, after.Status);
        Assert.True(after.Version > before, $"version {after.Version} after the restart is not above {before}");
        await OrchestratorInfo.WaitForAllUpAsync(port2);
        foreach (int workerPort in new[] { p0, p1 })
        {
            await using EchoClient direct = await EchoClient.ConnectAsync("127.0.0.1", workerPort);
            EchoReply copy = await direct.GetAsync(B("k"));
            Assert.True(copy.IsOk, $"k reads {copy.Status} on worker port {workerPort}");
            Assert.Equal("after", Encoding.UTF8.GetString(copy.Value));
            Assert.Equal(after.Version, copy.Version);
        }
    }

    [Fact]
    public async Task A_copy_left_stale_by_the_previous_orchestrator_is_reconciled_before_any_read()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        using HostProcess w1 = HostProcess.StartWorker(out int p1);
        // The frozen worker is marked down by its unanswered health checks (after the harness's generous timeout, which
        // keeps a loaded machine from marking the other down too: that would refuse the writes below).
        using (HostProcess first = HostProcess.StartOrchestrator(out int port, [p0, p1]))
        {
            await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
            await SetAllAsync(client, "old");
            // Worker 1 freezes (a partition): the orchestrator marks it down (its INFO says so) and the new values reach
            // worker 0 only.
            w1.Pause();
            await OrchestratorInfo.WaitUntilAsync(port, states => states[1] == "down", TimeSpan.FromSeconds(30), "worker 1 to be down");
            await SetAllAsync(client, "new");
            first.Kill();
        }
        w1.Resume(); // back with every old value, and no orchestrator that remembers it missed the new ones

        using HostProcess second = HostProcess.StartOrchestrator(out int port2, [p0, p1]);
        await using EchoClient again = await EchoClient.ConnectAsync("127.0.0.1", port2);
        // Reads alternate between the copies: each key twice, so both copies answer for it.
        await AssertAllAsync(again, "new");
        await AssertAllAsync(again, "new");
        second.WaitForOutput("reconciled with its partners");
    }

    [Fact]
    public async Task A_copy_restarted_empty_while_no_orchestrator_ran_is_refilled_before_any_read()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        HostProcess w1 = HostProcess.StartWorker(out int p1);
        try
        {
            using (HostProcess first = HostProcess.StartOrchestrator(out int port, [p0, p1]))
            {
                await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
                await SetAllAsync(client, "kept");
                first.Kill();
            }
            w1.Kill();
            w1.Dispose();
            w1 = HostProcess.Start("worker", p1.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w1.WaitForPort(p1);

            using HostProcess second = HostProcess.StartOrchestrator(out int port2, [p0, p1]);
            await using EchoClient again = await EchoClient.ConnectAsync("127.0.0.1", port2);
            await AssertAllAsync(again, "kept");
            await AssertAllAsync(again, "kept");
            // Both copies hold every key again.
            await OrchestratorInfo.WaitForAllUpAsync(port2);
            await using EchoClient direct = await EchoClient.ConnectAsync("127.0.0.1", p1);
            for (int i = 0; i < Keys; i++)
            {
                EchoReply copy = await direct.GetAsync(B($"key:{i}"));
                Assert.True(copy.IsOk, $"key:{i} reads {copy.Status} on the refilled worker");
                Assert.Equal($"kept-{i}", Encoding.UTF8.GetString(copy.Value));
            }
        }
        finally
        {
            w1.Dispose();
        }
    }

    private const int Keys = 200;

    private static async Task SetAllAsync(EchoClient client, string prefix)
    {
        EchoReply[] replies = await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => client.SetAsync(B($"key:{i}"), B($"{prefix}-{i}"))));
        Assert.All(replies, reply => Assert.Equal(BinaryStatus.Ok, reply.Status));
    }

    private static async Task AssertAllAsync(EchoClient client, string prefix)
    {
        for (int i = 0; i < Keys; i++)
        {
            EchoReply reply = await client.GetAsync(B($"key:{i}"));
            Assert.True(reply.Status == BinaryStatus.Ok, $"key:{i} answered {reply.Status}");
            Assert.Equal($"{prefix}-{i}", Encoding.UTF8.GetString(reply.Value));
        }
    }
}
