using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A binary client of an orchestrator whose copies are all down gets status frames for every kind of request,
/// decided ones included (they once got the RESP error line their RESP twin gets, as if it were their reply frames).
/// </summary>
public sealed class BinaryUnavailableTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Every_request_is_answered_unavailable_in_frames_when_no_copy_is_up()
    {
        using LocalCluster cluster = LocalCluster.Start(2);
        await using EchoClient client = await cluster.ConnectAsync();
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("k"), B("v")).WaitAsync(Timeout)).Status);
        cluster.KillWorker(0);
        cluster.KillWorker(1);
        await OrchestratorInfo.WaitUntilAsync(cluster.Port, states => states.All(s => s == "down"), TimeSpan.FromSeconds(10), "both workers down");

        Assert.Equal(BinaryStatus.Unavailable, (await client.IncrementAsync(B("n")).WaitAsync(Timeout)).Status);
        Assert.Equal(BinaryStatus.Unavailable, (await client.DeleteAsync(B("k")).WaitAsync(Timeout)).Status);
        Assert.Equal(BinaryStatus.Unavailable, (await client.AddAsync(B("a"), B("1")).WaitAsync(Timeout)).Status);
        Assert.Equal(BinaryStatus.Unavailable, (await client.GetAsync(B("k")).WaitAsync(Timeout)).Status);
        Assert.Equal(BinaryStatus.Unavailable, (await client.SetAsync(B("k"), B("w")).WaitAsync(Timeout)).Status);
        EchoReply decided = await client.TouchAsync(B("k"), TimeSpan.FromSeconds(10)).WaitAsync(Timeout);
        Assert.Equal(BinaryStatus.Unavailable, decided.Status);
        Assert.Contains("no live replica", Encoding.UTF8.GetString(decided.Value), StringComparison.Ordinal);
        Assert.Equal(BinaryStatus.Ok, (await client.PingAsync().WaitAsync(Timeout)).Status); // the connection is intact
    }
}
