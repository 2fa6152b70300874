using System.Globalization;
using System.Net;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A worker that nobody listens for when the orchestrator starts (docs/operations.md, "orchestrator"): the
/// orchestrator starts anyway, says so in its log, reports the worker down in INFO, and serves every key (each pair
/// then has one live copy) in both protocols; when a worker appears on that address it is connected, refilled with
/// every write made meanwhile, and put up, and the copies are identical.
/// </summary>
public sealed class UnreachableWorkerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const int Keys = 300;

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task The_orchestrator_serves_without_a_worker_unreachable_at_start_and_refills_it_when_it_appears(int workers)
    {
        int missing = workers - 1;
        var processes = new List<HostProcess>();
        try
        {
            var ports = new int[workers];
            for (int w = 0; w < missing; w++)
            {
                processes.Add(HostProcess.StartWorker(out ports[w]));
            }
            ports[missing] = HostProcess.FreePort(); // nothing listens there
            HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, ports, "--health-timeout", "2000");
            processes.Add(orchestrator);
            orchestrator.WaitForOutput($"worker {missing} (127.0.0.1:{ports[missing]}) is down: unreachable at start");
            string[] states = await OrchestratorInfo.WaitUntilAsync(port, s => s.Count(state => state == "up") == missing, Timeout,
                "every reachable worker up");
            Assert.Equal("down", states[missing]);

            // Every key is served, in both protocols: each pair has a live copy.
            using (var resp = RespConnection.Connect(port, Timeout))
            {
                for (int i = 0; i < Keys; i++)
                {
                    Assert.True(resp.Call("SET", $"resp:{i}", $"r{i}").IsStatus("OK"), $"SET resp:{i}");
                }
                Assert.Equal(Keys, resp.Call("INCRBY", "counter", Keys.ToString(CultureInfo.InvariantCulture)).Integer);
            }
            await using (EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port))
            {
                for (int i = 0; i < Keys; i++)
                {
                    Assert.True((await client.SetAsync(B($"bin:{i}"), B($"b{i}"))).IsOk, $"SET bin:{i}");
                }
                Assert.Equal("r7", Encoding.UTF8.GetString((await client.GetAsync(B("resp:7"))).Value));
            }

            // The worker appears: it is connected, refilled and put up.
            processes.Add(StartOn(ports[missing]));
            await OrchestratorInfo.WaitUntilAsync(port, s => s.All(state => state == "up"), TimeSpan.FromSeconds(60), "the late worker up");

            var map = new SlotMap(workers);
            await using EchoClient late = await EchoClient.ConnectAsync("127.0.0.1", ports[missing]);
            int held = 0;
            foreach (string key in Enumerable.Range(0, Keys).SelectMany(i => new[] { $"resp:{i}", $"bin:{i}" }).Append("counter"))
            {
                if (!map.Holds(missing, SlotMap.SlotOf(B(key))))
                {
                    continue;
                }
                EchoReply reply = await late.GetAsync(B(key));
                Assert.True(reply.IsOk, $"the late worker lacks {key}");
                held++;
            }
            Assert.True(held > 0);
            CopyAuditResult audit = await new CopyAudit([.. ports.Select(p => new IPEndPoint(IPAddress.Loopback, p))]) { Attempts = 3 }.RunAsync();
            Assert.True(audit.Identical, audit.Describe());
        }
        finally
        {
            foreach (HostProcess process in processes)
            {
                process.Dispose();
            }
        }
    }

    private static HostProcess StartOn(int port)
    {
        HostProcess worker = HostProcess.Start("worker", port.ToString(CultureInfo.InvariantCulture));
        worker.WaitForPort(port);
        return worker;
    }
}
