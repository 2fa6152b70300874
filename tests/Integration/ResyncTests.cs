using System.Security.Cryptography;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>A worker killed and restarted is refilled from its partner while writes go on.</summary>
public sealed class ResyncTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_restarted_worker_is_resynced_while_writes_continue_then_the_other_can_die()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        HostProcess w1 = HostProcess.StartWorker(out int p1);
        try
        {
            using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
            await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
            var expected = new Dictionary<string, string?>();

            await WriteAsync(client, expected, 0, 20_000);
            w1.Kill();
            await WriteAsync(client, expected, 20_000, 25_000);
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(BinaryStatus.Ok, (await client.DeleteAsync(B($"key:{i}"))).Status);
                expected[$"key:{i}"] = null;
            }
            w1.Dispose();

            // Restart on the same port, and keep writing (and deleting) while it is refilled.
            w1 = HostProcess.Start("worker", p1.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w1.WaitForPort(p1);
            Task writes = WriteAsync(client, expected, 25_000, 40_000);
            orchestrator.WaitForOutput("resync complete");
            await writes;
            for (int i = 500; i < 700; i++)
            {
                await client.DeleteAsync(B($"key:{i}"));
                expected[$"key:{i}"] = null;
            }

            // Both copies now hold exactly the same items, versions included.
            Assert.Equal(await DigestAsync(p0), await DigestAsync(p1));

            // The first worker dies: everything acknowledged is still served by the refilled one.
            w0.Kill();
            foreach ((string key, string? value) in expected)
            {
                EchoReply get = await client.GetAsync(B(key));
                if (value == null)
                {
                    Assert.Equal(BinaryStatus.NotFound, get.Status);
                }
                else
                {
                    Assert.True(get.IsOk, $"{key} reads {get.Status} after failover");
                    Assert.Equal(value, Encoding.UTF8.GetString(get.Value));
                }
            }
            Assert.Contains("resync complete", orchestrator.Output, StringComparison.Ordinal);
        }
        finally
        {
            w1.Dispose();
        }
    }

    private static async Task WriteAsync(EchoClient client, Dictionary<string, string?> expected, int from, int to)
    {
        for (int start = from; start < to; start += 100)
        {
            int end = Math.Min(to, start + 100);
            EchoReply[] replies = await Task.WhenAll(Enumerable.Range(start, end - start)
                .Select(i => client.SetAsync(B($"key:{i}"), B($"value:{i}"))));
            Assert.All(replies, r => Assert.Equal(BinaryStatus.Ok, r.Status));
            for (int i = start; i < end; i++) expected[$"key:{i}"] = $"value:{i}";
        }
    }

    /// <summary>A digest of a worker's snapshot: every live item's key, version and value, in key order.</summary>
    private static async Task<string> DigestAsync(int port)
    {
        await using EchoClient direct = await EchoClient.ConnectAsync("127.0.0.1", port);
        IReadOnlyList<EchoReply> frames = await direct.SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default);
        var lines = frames.Where(f => f.Flags.HasFlag(BinaryFrameFlags.More) && !f.Flags.HasFlag(BinaryFrameFlags.Tombstone))
            .Select(f => $"{Encoding.UTF8.GetString(f.Key)}|{f.Version}|{Convert.ToHexString(f.Value)}")
            .Order(StringComparer.Ordinal);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }
}
