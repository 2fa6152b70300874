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
        using LocalCluster cluster = LocalCluster.Start(2);
        await using EchoClient client = await cluster.ConnectAsync();
        var expected = new Dictionary<string, string?>();

        await WriteAsync(client, expected, 0, 20_000);
        cluster.KillWorker(1);
        await WriteAsync(client, expected, 20_000, 25_000);
        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(BinaryStatus.Ok, (await client.DeleteAsync(B($"key:{i}"))).Status);
            expected[$"key:{i}"] = null;
        }
        await cluster.WaitForDownAsync(1);

        // Restart on the same port, and keep writing (and deleting) while it is refilled: done once the orchestrator's
        // INFO says worker 1 is up as the new process.
        cluster.RestartWorker(1);
        Task writes = WriteAsync(client, expected, 25_000, 40_000);
        await cluster.WaitForUpAsync(1);
        await writes;
        for (int i = 500; i < 700; i++)
        {
            Assert.Equal(BinaryStatus.Ok, (await client.DeleteAsync(B($"key:{i}"))).Status);
            expected[$"key:{i}"] = null;
        }

        // Both copies now hold exactly the same items, versions included.
        await cluster.WaitForAllUpAsync();
        Assert.Equal(await DigestAsync(cluster.WorkerPort(0)), await DigestAsync(cluster.WorkerPort(1)));

        // The first worker dies: everything acknowledged is still served by the refilled one (read 256 at a time).
        cluster.KillWorker(0);
        foreach (KeyValuePair<string, string?>[] batch in expected.Chunk(256))
        {
            EchoReply[] gets = await Task.WhenAll(batch.Select(e => client.GetAsync(B(e.Key))));
            for (int i = 0; i < batch.Length; i++)
            {
                (string key, string? value) = batch[i];
                if (value == null)
                {
                    Assert.True(gets[i].Status == BinaryStatus.NotFound, $"deleted {key} reads {gets[i].Status} after failover");
                }
                else
                {
                    Assert.True(gets[i].IsOk, $"{key} reads {gets[i].Status} after failover");
                    Assert.Equal(value, Encoding.UTF8.GetString(gets[i].Value));
                }
            }
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
