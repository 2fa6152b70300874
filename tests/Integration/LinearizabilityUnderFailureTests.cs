using System.Diagnostics;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Clients doing sets, gets and deletes on a few keys through the real orchestrator while a worker is killed
/// (kill -9), restarted and resynced; the recorded history must be linearizable (Wing &amp; Gong with Lowe's
/// memoization, tests/Linearizability, whose own tests show it catches a stale read).
/// </summary>
public sealed class LinearizabilityUnderFailureTests
{
    private const int Clients = 4;
    private static readonly string[] Keys = ["a", "b", "c", "d"];

    [Fact]
    public async Task The_history_is_linearizable_across_a_kill_and_a_resync()
    {
        using HostProcess w0 = HostProcess.StartWorker(out int p0);
        HostProcess w1 = HostProcess.StartWorker(out int p1);
        try
        {
            using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [p0, p1]);
            var recorder = new HistoryRecorder();
            using var stop = new CancellationTokenSource();
            Task[] clients = new Task[Clients];
            for (int c = 0; c < Clients; c++)
            {
                int clientId = c;
                clients[c] = Task.Run(() => RunClientAsync(port, clientId, recorder, stop.Token));
            }

            await WaitForOperationsAsync(recorder, 500);   // traffic over both copies
            int beforeKill = recorder.Count;
            w1.Kill();                                      // kill -9 mid-traffic
            await WaitForOperationsAsync(recorder, beforeKill + 300); // traffic while it is down
            w1.Dispose();
            w1 = HostProcess.Start("worker", p1.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await OrchestratorInfo.WaitForAllUpAsync(port); // refilled: the state itself, not a log line
            int afterResync = recorder.Count;
            await WaitForOperationsAsync(recorder, afterResync + 500); // traffic over the resynced pair, reads from either copy
            await stop.CancelAsync();
            await Task.WhenAll(clients);

            History history = recorder.ToHistory();
            LinearizabilityResult result = LinearizabilityChecker.Check(history);
            Assert.True(result.IsLinearizable, result.Explanation);
        }
        finally
        {
            w1.Dispose();
        }
    }

    /// <summary>Waits until <paramref name="count"/> operations have begun, 60 s at most.</summary>
    private static async Task WaitForOperationsAsync(HistoryRecorder recorder, int count)
    {
        var waited = Stopwatch.StartNew();
        while (recorder.Count < count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"only {recorder.Count} of {count} operations completed in 60 s");
            await Task.Delay(10);
        }
    }

    private static async Task RunClientAsync(int port, int clientId, HistoryRecorder recorder, CancellationToken stop)
    {
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        var random = new Random(clientId);
        int n = 0;
        var deadline = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromSeconds(180))
        {
            string key = Keys[random.Next(Keys.Length)];
            int dice = random.Next(10);
            if (dice < 5)
            {
                using PendingOperation op = recorder.BeginGet(clientId, key);
                EchoReply reply = await client.GetAsync(Encoding.UTF8.GetBytes(key));
                if (reply.Status == BinaryStatus.Ok) op.Read(Encoding.UTF8.GetString(reply.Value));
                else if (reply.Status == BinaryStatus.NotFound) op.Read(null);
                else op.Unavailable();
            }
            else if (dice < 9)
            {
                string value = $"c{clientId}-{n++}";
                using PendingOperation op = recorder.BeginSet(clientId, key, value);
                EchoReply reply = await client.SetAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
                if (reply.Status == BinaryStatus.Ok) op.Acknowledged();
                else op.Unavailable();
            }
            else
            {
                using PendingOperation op = recorder.BeginDelete(clientId, key);
                EchoReply reply = await client.DeleteAsync(Encoding.UTF8.GetBytes(key));
                if (reply.Status is BinaryStatus.Ok or BinaryStatus.NotFound) op.Acknowledged();
                else op.Unavailable();
            }
        }
    }
}
