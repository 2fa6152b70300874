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
                await client.SetAsync(B($"k{i % 10}"), B($"first-{i}"));
            }
            before = (await client.SetAsync(B("k"), B("before"))).Version;
            first.Terminate();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
        }

        using HostProcess second = HostProcess.StartOrchestrator(out int port2, [p0, p1]);
        await using EchoClient again = await EchoClient.ConnectAsync("127.0.0.1", port2);
        // No stale read: every read, from either copy, sees the last acknowledged write.
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("before", Encoding.UTF8.GetString((await again.GetAsync(B("k"))).Value));
            Assert.Equal("first-999", Encoding.UTF8.GetString((await again.GetAsync(B("k9"))).Value));
        }
        // No version goes backwards: the next write's version is above every earlier one, on both copies.
        EchoReply after = await again.SetAsync(B("k"), B("after"));
        Assert.True(after.Version > before, $"version {after.Version} after the restart is not above {before}");
        foreach (int workerPort in new[] { p0, p1 })
        {
            await using EchoClient direct = await EchoClient.ConnectAsync("127.0.0.1", workerPort);
            EchoReply copy = await direct.GetAsync(B("k"));
            Assert.Equal("after", Encoding.UTF8.GetString(copy.Value));
            Assert.Equal(after.Version, copy.Version);
        }
    }
}
