using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Tests.Integration;

/// <summary>
/// <see cref="CopyAudit"/> against real executables: copies written through the orchestrator are identical (every slot
/// compared, each worker's item count the keys of its slots); a write made behind the orchestrator's back on one copy
/// shows as exactly the slot it touched, with both copies' counts; the audit fences nobody out (the orchestrator serves
/// on at its epoch); with a cluster secret it audits after the orchestrator stopped, sees a replica write made over a
/// link, and without the secret it is refused and says so.
/// </summary>
public sealed class CopyAuditTests : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const int Keys = 600;
    private readonly string _directory = Directory.CreateTempSubdirectory("echo-audit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IPEndPoint[] EndPoints(LocalCluster cluster) =>
        [.. Enumerable.Range(0, cluster.WorkerCount).Select(i => new IPEndPoint(IPAddress.Loopback, cluster.WorkerPort(i)))];

    private static int SlotOf(string key) => SlotMap.SlotOf(Encoding.UTF8.GetBytes(key));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Copies_written_through_the_orchestrator_are_identical_and_a_write_behind_its_back_shows_as_its_slot(int workers)
    {
        // The orchestrator's own copy check off: it would repair what this test makes different.
        using LocalCluster cluster = LocalCluster.Start(workers, "--copy-check-interval", "0");
        var map = new SlotMap(workers);
        using var client = RespConnection.Connect(cluster.Port, RequestTimeout);
        for (int i = 0; i < Keys; i++)
        {
            RespReply reply = i % 3 == 0 ? client.Call("SET", $"key:{i}", $"v{i}", "EX", "3600") : client.Call("SET", $"key:{i}", $"v{i}");
            Assert.True(reply.IsStatus("OK"), $"SET key:{i} answered {reply}");
        }
        Assert.Equal(1, client.Call("INCR", "counter").Integer);
        Assert.Equal(1, client.Call("DEL", "key:1").Integer);
        var live = Enumerable.Range(0, Keys).Where(i => i != 1).Select(i => $"key:{i}").Append("counter").ToList();

        CopyAuditResult result = await new CopyAudit(EndPoints(cluster)).RunAsync();
        Assert.True(result.Identical, result.Describe());
        Assert.Equal(SlotMap.SlotCount, result.SlotsCompared);
        ulong epoch = ulong.Parse(Regex.Match(client.Call("INFO").Text!, @"\nepoch:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        for (int w = 0; w < workers; w++)
        {
            CopyAuditWorker worker = result.Workers[w];
            Assert.Null(worker.Failure);
            Assert.Equal((ulong)live.Count(key => map.Holds(w, SlotOf(key))), worker.Items);
            Assert.Equal(0UL, worker.StrayItems);
            Assert.Equal(epoch, worker.Epoch); // joined at the orchestrator's epoch: nobody fenced
        }

        // Behind the orchestrator's back (these workers have no secret, so they serve plain clients): a value changed
        // on one copy, and a key only one copy holds, each in a slot of its own.
        string changed = "key:7";
        string extra = Enumerable.Range(0, 100_000).Select(i => $"extra:{i}").First(k => SlotOf(k) != SlotOf(changed));
        int changedOn = map.PartnerOf(SlotOf(changed)), extraOn = map.PrimaryOf(SlotOf(extra));
        using (var direct = RespConnection.Connect(cluster.WorkerPort(changedOn), RequestTimeout))
        {
            Assert.True(direct.Call("SET", changed, "behind").IsStatus("OK"));
        }
        using (var direct = RespConnection.Connect(cluster.WorkerPort(extraOn), RequestTimeout))
        {
            Assert.True(direct.Call("SET", extra, "only here").IsStatus("OK"));
        }

        result = await new CopyAudit(EndPoints(cluster)).RunAsync();
        Assert.True(result.IsComplete, result.Describe());
        uint InSlot(int slot) => (uint)live.Count(key => SlotOf(key) == slot);
        int changedSlot = SlotOf(changed), extraSlot = SlotOf(extra);
        var expected = new List<SlotDifference>
        {
            new(changedSlot, map.PrimaryOf(changedSlot), map.PartnerOf(changedSlot), InSlot(changedSlot), InSlot(changedSlot)),
            new(extraSlot, map.PrimaryOf(extraSlot), map.PartnerOf(extraSlot), InSlot(extraSlot) + 1, InSlot(extraSlot)),
        };
        Assert.Equal(expected.OrderBy(d => d.Slot), result.Differences);

        // The orchestrator was not fenced: it serves on, at its epoch.
        Assert.True(client.Call("SET", "after", "audit").IsStatus("OK"));
        Assert.Equal("audit", client.Call("GET", "after").Text);
        string info = client.Call("INFO").Text!;
        Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
        Assert.Contains($"\nepoch:{epoch}\r", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_secret_it_audits_after_the_orchestrator_stopped_and_sees_a_replica_write_made_over_a_link()
    {
        string secretFile = Path.Combine(_directory, "secret");
        File.WriteAllText(secretFile, "correct-horse-battery-staple\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var secret = ClusterSecret.ReadFile(secretFile);
        using HostProcess w0 = HostProcess.StartWorker(out int p0, "--cluster-secret-file", secretFile);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, "--cluster-secret-file", secretFile);
        using HostProcess w2 = HostProcess.StartWorker(out int p2, "--cluster-secret-file", secretFile);
        IPEndPoint[] endPoints = [.. new[] { p0, p1, p2 }.Select(p => new IPEndPoint(IPAddress.Loopback, p))];
        var map = new SlotMap(3);
        using (HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1, p2],
                   "--cluster-secret-file", secretFile, "--copy-check-interval", "0"))
        {
            using var client = RespConnection.Connect(port, RequestTimeout);
            for (int i = 0; i < Keys; i++)
            {
                Assert.True(client.Call("SET", $"key:{i}", $"v{i}").IsStatus("OK"));
            }
            orchestrator.Terminate();
            Assert.True(orchestrator.WaitForExit(RequestTimeout), orchestrator.Output);
        }

        CopyAuditResult result = await new CopyAudit(endPoints, secret).RunAsync();
        Assert.True(result.Identical, result.Describe());
        Assert.Equal((ulong)(2 * Keys), (ulong)result.Workers.Sum(w => (long)w.Items));

        // Without the secret, or with another, every worker refuses, and the audit says it compared nothing.
        CopyAuditResult refused = await new CopyAudit(endPoints).RunAsync();
        Assert.False(refused.IsComplete);
        Assert.Equal(SlotMap.SlotCount, refused.SlotsUnchecked);
        Assert.All(refused.Workers, w => Assert.Contains("belongs to a cluster with a secret", w.Failure, StringComparison.Ordinal));
        CopyAuditResult impostor = await new CopyAudit(endPoints, new ClusterSecret("incorrect-horse-battery-staple"u8)).RunAsync();
        Assert.All(impostor.Workers, w => Assert.Contains("does not match", w.Failure, StringComparison.Ordinal));

        // A replica write over a link of this test's own, joined at worker 1's epoch, on one copy of key:5.
        string key = "key:5";
        int slot = SlotOf(key);
        int holder = map.PartnerOf(slot);
        BinaryStatus written = await ReplicaSetOverLinkAsync(endPoints[holder], secret, key, result.Workers[holder].HighestVersion + 1);
        Assert.Equal(BinaryStatus.Ok, written);

        result = await new CopyAudit(endPoints, secret).RunAsync();
        Assert.True(result.IsComplete, result.Describe());
        SlotDifference difference = Assert.Single(result.Differences);
        Assert.Equal(slot, difference.Slot);
        Assert.Equal(holder, difference.SecondWorker);
        Assert.Equal(difference.FirstCount, difference.SecondCount); // same keys, another version of one
    }

    /// <summary>A REPLICA_SET of <paramref name="key"/> at <paramref name="version"/>, over a link joined at the worker's own epoch.</summary>
    private static async Task<BinaryStatus> ReplicaSetOverLinkAsync(IPEndPoint worker, ClusterSecret secret, string key, ulong version)
    {
        using var loops = new EventLoopGroup(1, "test link");
        using WorkerLink link = await WorkerLink.ConnectAsync(worker, loops[0], null, null, CancellationToken.None);
        LinkHandshake handshake = await LinkHandshake.ChallengeAsync(link, secret);
        Assert.Null(handshake.Failure);
        Assert.True(await handshake.JoinAsync(secret, handshake.WorkerEpoch), handshake.Failure);
        var answer = new StatusReply();
        Assert.True(link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Version = version },
            Encoding.UTF8.GetBytes(key), "over a link"u8, answer, 0));
        Task finished = await Task.WhenAny(answer.Status, Task.Delay(RequestTimeout));
        Assert.True(finished == answer.Status, "no answer to the replica write");
        return await answer.Status;
    }

    private sealed class StatusReply : IWorkerReplyTarget
    {
        private readonly TaskCompletionSource<BinaryStatus> _status = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<BinaryStatus> Status => _status.Task;

        public void OnReply(in BinaryFrame frame, long token) => _status.TrySetResult(frame.Header.Status);

        public void OnLinkFailed(long token) => _status.TrySetResult(BinaryStatus.ServerError);
    }
}
