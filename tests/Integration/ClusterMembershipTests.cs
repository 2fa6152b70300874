using System.Diagnostics;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Workers that belong to one orchestrator (docs/consistency.md, "Epochs"): with a cluster secret nobody else is
/// served; an orchestrator with another secret cannot join; a newer orchestrator fences the older one out, which
/// then refuses its clients and says it lost the cluster, while every write it acknowledged survives.
/// </summary>
public sealed class ClusterMembershipTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("echo-secret-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private string SecretFile(string name, string secret)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, secret + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }

    [Fact]
    public async Task A_worker_with_the_secret_refuses_clients_forged_replica_writes_and_flushes_and_nothing_changes()
    {
        string secret = SecretFile("secret", "correct-horse-battery-staple");
        using HostProcess w0 = HostProcess.StartWorker(out int p0, "--cluster-secret-file", secret);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, "--cluster-secret-file", secret);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1], "--cluster-secret-file", secret);
        await OrchestratorInfo.WaitUntilAsync(port, states => states.All(s => s == "up"), TimeSpan.FromSeconds(10), "both workers up");
        using RespConnection front = RespConnection.Connect(port, TimeSpan.FromSeconds(5));
        for (int i = 0; i < 100; i++)
        {
            Assert.True(front.Call("SET", $"k{i}", $"v{i}").IsStatus("OK"));
        }

        foreach (int workerPort in new[] { p0, p1 })
        {
            // A RESP client is told where to go, and the connection closed.
            using (RespConnection direct = RespConnection.Connect(workerPort, TimeSpan.FromSeconds(5)))
            {
                RespReply refused = direct.Call("SET", "k1", "direct");
                Assert.True(refused.IsError, refused.ToString());
                Assert.Contains("belongs to a cluster", refused.Text, StringComparison.Ordinal);
                Assert.True(direct.ReadSeesClose());
            }
            using (RespConnection direct = RespConnection.Connect(workerPort, TimeSpan.FromSeconds(5)))
            {
                RespReply refused = direct.Call("FLUSHALL");
                Assert.True(refused.IsError && refused.Text!.Contains("belongs to a cluster", StringComparison.Ordinal), refused.ToString());
            }
            // The binary protocol: a client write, a replica write with a version far ahead, a flush, a snapshot.
            await using EchoClient binary = await EchoClient.ConnectAsync("127.0.0.1", workerPort);
            Assert.Equal(BinaryStatus.NotPermitted, (await binary.SetAsync(B("k2"), B("direct")).WaitAsync(TimeSpan.FromSeconds(10))).Status);
            EchoReply forged = await binary.SendOneAsync(
                new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Version = ulong.MaxValue >> 2 }, B("k3"), B("forged"))
                .WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(BinaryStatus.NotPermitted, forged.Status);
            Assert.Equal(BinaryStatus.NotPermitted, (await binary.SendOneAsync(
                new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete, Version = ulong.MaxValue >> 2 }, B("k4"), default).WaitAsync(TimeSpan.FromSeconds(10))).Status);
            Assert.Equal(BinaryStatus.NotPermitted, (await binary.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10))).Status);
            Assert.Equal(BinaryStatus.NotPermitted, (await binary.SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default).WaitAsync(TimeSpan.FromSeconds(10))).Status);
            Assert.Equal(BinaryStatus.NotPermitted, (await binary.GetAsync(B("k1")).WaitAsync(TimeSpan.FromSeconds(10))).Status);
            Assert.Equal(BinaryStatus.Ok, (await binary.PingAsync().WaitAsync(TimeSpan.FromSeconds(10))).Status);
        }

        // Nothing changed on either copy: reads alternate between them, and every one sees the orchestrator's write.
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.Equal($"v{i}", front.Call("GET", $"k{i}").Text);
            }
        }
        Assert.Equal(100, front.Call("DBSIZE").Integer);
        Assert.Contains("cluster_secret:yes", front.Call("INFO").Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_orchestrator_with_another_secret_cannot_join_and_the_right_one_serves_on()
    {
        string secret = SecretFile("secret", "correct-horse-battery-staple");
        string wrong = SecretFile("wrong", "incorrect-horse-battery-staple");
        using HostProcess w0 = HostProcess.StartWorker(out int p0, "--cluster-secret-file", secret);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, "--cluster-secret-file", secret);
        using HostProcess right = HostProcess.StartOrchestrator(out int port, [p0, p1], "--cluster-secret-file", secret);
        await OrchestratorInfo.WaitUntilAsync(port, states => states.All(s => s == "up"), TimeSpan.FromSeconds(10), "both workers up");
        using RespConnection front = RespConnection.Connect(port, TimeSpan.FromSeconds(5));
        Assert.True(front.Call("SET", "k", "before").IsStatus("OK"));

        using HostProcess impostor = HostProcess.StartOrchestrator(out int impostorPort, [p0, p1], "--cluster-secret-file", wrong);
        using HostProcess noSecret = HostProcess.StartOrchestrator(out int noSecretPort, [p0, p1]);
        foreach ((HostProcess process, int impostorsPort) in new[] { (impostor, impostorPort), (noSecret, noSecretPort) })
        {
            using RespConnection other = RespConnection.Connect(impostorsPort, TimeSpan.FromSeconds(5));
            Assert.Equal(["down", "down"], OrchestratorInfo.WorkerStates(other));
            RespReply refused = other.Call("SET", "k", "impostor");
            Assert.True(refused.IsError && refused.Text!.StartsWith("UNAVAILABLE", StringComparison.Ordinal), refused.ToString());
        }
        impostor.WaitForOutput("proof of the cluster secret does not match");
        noSecret.WaitForOutput("this orchestrator has none");

        // The right orchestrator was not fenced out: it still reads and writes both copies.
        Assert.Equal("before", front.Call("GET", "k").Text);
        Assert.True(front.Call("SET", "k", "after").IsStatus("OK"));
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("after", front.Call("GET", "k").Text);
        }
        string info = front.Call("INFO").Text!;
        Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
        Assert.Equal(["up", "up"], OrchestratorInfo.WorkerStates(front));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_second_orchestrator_takes_over_and_the_first_is_fenced_out_keeping_every_acknowledged_write(bool withSecret)
    {
        string[] secretOption = withSecret ? ["--cluster-secret-file", SecretFile("secret", "correct-horse-battery-staple")] : [];
        using HostProcess w0 = HostProcess.StartWorker(out int p0, secretOption);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, secretOption);
        using HostProcess first = HostProcess.StartOrchestrator(out int firstPort, [p0, p1], secretOption);
        await OrchestratorInfo.WaitUntilAsync(firstPort, states => states.All(s => s == "up"), TimeSpan.FromSeconds(10), "both workers up");

        // Writes through the first orchestrator, in flight while the second one starts and takes the workers over.
        var acknowledged = new List<int>();
        string? fencedReply = null;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task writer = Task.Run(() =>
        {
            RespConnection? connection = null;
            try
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        connection ??= RespConnection.Connect(firstPort, TimeSpan.FromSeconds(5));
                        RespReply reply = connection.Call("SET", $"w{i}", $"value-{i}");
                        if (reply.IsStatus("OK"))
                        {
                            lock (acknowledged) acknowledged.Add(i);
                        }
                        else if (reply.IsError && reply.Text!.StartsWith("CLUSTERDOWN", StringComparison.Ordinal))
                        {
                            fencedReply = reply.Text;
                            return;
                        }
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                    {
                        connection?.Dispose();
                        connection = null; // the outcome of that write is unknown: it is not counted
                    }
                }
            }
            finally
            {
                connection?.Dispose();
            }
        });
        var waited = Stopwatch.StartNew();
        while (true)
        {
            lock (acknowledged)
            {
                if (acknowledged.Count >= 200) break;
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "the first orchestrator acknowledged too few writes");
            await Task.Delay(5);
        }

        using HostProcess second = HostProcess.StartOrchestrator(out int secondPort, [p0, p1], secretOption);
        await OrchestratorInfo.WaitUntilAsync(secondPort, states => states.All(s => s == "up"), TimeSpan.FromSeconds(10), "both workers up under the second orchestrator");
        await writer.WaitAsync(TimeSpan.FromSeconds(35));
        Assert.True(fencedReply != null, $"the first orchestrator never refused a write; its log:\n{first.Output}");
        Assert.Contains("newer orchestrator", fencedReply, StringComparison.Ordinal);

        // The first one says it lost the cluster, and refuses reads as well as writes.
        using (RespConnection old = RespConnection.Connect(firstPort, TimeSpan.FromSeconds(5)))
        {
            string info = old.Call("INFO").Text!;
            Assert.Contains("cluster_state:fenced", info, StringComparison.Ordinal);
            RespReply read = old.Call("GET", "w0");
            Assert.True(read.IsError && read.Text!.StartsWith("CLUSTERDOWN", StringComparison.Ordinal), read.ToString());
            RespReply incr = old.Call("INCR", "counter");
            Assert.True(incr.IsError && incr.Text!.StartsWith("CLUSTERDOWN", StringComparison.Ordinal), incr.ToString());
        }
        first.WaitForOutput("lost the cluster");

        // Every write the first one acknowledged is served by the second, from both copies.
        using RespConnection fresh = RespConnection.Connect(secondPort, TimeSpan.FromSeconds(5));
        Assert.Contains("cluster_state:ok", fresh.Call("INFO").Text, StringComparison.Ordinal);
        int[] acked;
        lock (acknowledged) acked = [.. acknowledged];
        foreach (int i in acked)
        {
            for (int copy = 0; copy < 2; copy++)
            {
                Assert.Equal($"value-{i}", fresh.Call("GET", $"w{i}").Text);
            }
        }
        Assert.True(fresh.Call("SET", "after", "takeover").IsStatus("OK"));
    }

    [Fact]
    public async Task The_secret_rotates_on_sighup_without_losing_the_cache()
    {
        string file = SecretFile("secret", "the-old-secret-0123456789");
        string old = SecretFile("old", "the-old-secret-0123456789");
        using HostProcess w0 = HostProcess.StartWorker(out int p0, "--cluster-secret-file", file);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, "--cluster-secret-file", file);
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1], "--cluster-secret-file", file);
        await OrchestratorInfo.WaitUntilAsync(port, states => states.All(s => s == "up"), TimeSpan.FromSeconds(10), "both workers up");
        using RespConnection front = RespConnection.Connect(port, TimeSpan.FromSeconds(5));
        for (int i = 0; i < 200; i++)
        {
            Assert.True(front.Call("SET", $"k{i}", $"v{i}").IsStatus("OK"));
        }

        // The new secret everywhere, then SIGHUP: the joined links stay, new ones prove the new secret.
        SecretFile("secret", "the-new-secret-9876543210");
        var newSecret = new EchoCache.Net.Security.ClusterSecret("the-new-secret-9876543210"u8);
        foreach (HostProcess process in new[] { w0, w1, orchestrator })
        {
            process.HangUp();
        }
        foreach ((HostProcess worker, int workerPort) in new[] { (w0, p0), (w1, p1) })
        {
            await WaitForWorkerSecretAsync(worker, workerPort, newSecret);
        }
        Assert.True(front.Call("SET", "during", "rotation").IsStatus("OK"));

        // A worker that restarts (with the new file) is joined again and refilled: only possible with the new secret.
        string before = WorkerZero(front);
        w0.Kill();
        using HostProcess restarted = HostProcess.Start("worker", p0.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cluster-secret-file", file);
        restarted.WaitForPort(p0);
        var waited = Stopwatch.StartNew();
        while (!(WorkerZero(front) is { } now && now != before && now.Contains("state=up", StringComparison.Ordinal)))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"the restarted worker 0 was not refilled under the new secret:\n{orchestrator.Output}");
            await Task.Delay(10);
        }
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 200; i++)
            {
                Assert.Equal($"v{i}", front.Call("GET", $"k{i}").Text);
            }
            Assert.Equal("rotation", front.Call("GET", "during").Text);
        }

        // The old secret no longer joins.
        using HostProcess stale = HostProcess.StartOrchestrator(out int stalePort, [p0, p1], "--cluster-secret-file", old);
        using RespConnection staleFront = RespConnection.Connect(stalePort, TimeSpan.FromSeconds(5));
        Assert.Equal(["down", "down"], OrchestratorInfo.WorkerStates(staleFront));
        Assert.Contains("cluster_state:ok", front.Call("INFO").Text, StringComparison.Ordinal);
    }

    /// <summary>INFO's line for worker 0: its state and instance id (a restarted worker has a new one).</summary>
    private static string WorkerZero(RespConnection connection) =>
        connection.Call("INFO").Text!.Split("\r\n").Single(line => line.StartsWith("worker0:", StringComparison.Ordinal));

    /// <summary>Polls LINK_CHALLENGE on a worker until its proof is that of <paramref name="secret"/> (its SIGHUP was handled).</summary>
    private static async Task WaitForWorkerSecretAsync(HostProcess worker, int port, EchoCache.Net.Security.ClusterSecret secret)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await using (EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port))
            {
                byte[] nonce = new byte[16];
                EchoCache.Net.Security.ClusterSecret.NewNonce(nonce);
                EchoReply reply = await client.SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.LinkChallenge }, default, nonce)
                    .WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(BinaryStatus.Ok, reply.Status);
                if (secret.IsWorkerProof(nonce, reply.Value.AsSpan(0, 16), reply.Value.AsSpan(16)))
                {
                    return;
                }
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"worker {port} still proves the old secret; its log:\n{worker.Output}");
            await Task.Delay(10);
        }
    }
}
