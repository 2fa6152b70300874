using Xunit.Abstractions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A partition between the orchestrator and a worker, made by a relay in front of the worker
/// (<see cref="PartitionProxy"/>), with a decided write in flight on the partitioned copy. The orchestrator marks that
/// copy down after the health timeout and decides the command again on the other copy; when the partition heals, the
/// copy is flushed and refilled. What it had been sent on its old links, and never received, must not reach it after
/// that: the fault campaign (tests/Faults) found an INCR held up that way run a second time on the refilled copy, at
/// its old version, when TCP retransmitted it — a later INCR then counted from a value no client had written.
/// </summary>
public sealed class PartitionedLinkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_command_cut_off_by_a_partition_does_not_run_on_the_worker_after_it_rejoins()
    {
        using HostProcess worker0 = HostProcess.StartWorker(out int port0);
        using HostProcess worker1 = HostProcess.StartWorker(out int port1);
        using PartitionProxy network = PartitionProxy.Start(port0);
        // Worker 0, behind the relay, is the pair's primary: it decides every decided write while it is up.
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [network.Port, port1]);
        using RespConnection client = RespConnection.Connect(port, Timeout);
        Assert.True(client.Call("SET", "counter", "10").IsStatus("OK"));

        // The INCR goes to worker 0 and is cut off there; once the health timeout marks worker 0 down, the
        // orchestrator decides it again on worker 1.
        network.Partition();
        RespReply counted = client.Call("INCR", "counter");
        Assert.True(counted.Type == ':' && counted.Integer == 11, $"INCR during the partition answered {counted}");
        await OrchestratorInfo.WaitUntilAsync(port, s => s[0] == "down", Timeout, "worker 0 to be down");

        // Healed: worker 0 is reconnected, flushed and refilled from worker 1 (counter = 11).
        network.Heal();
        await OrchestratorInfo.WaitUntilAsync(port, s => s.All(state => state == "up"), Timeout, "worker 0 to be refilled");

        // What the partition held on worker 0's old links (the INCR among it) arrives now, if it still can, as TCP
        // retransmits it once a partition heals; the relay waits until worker 0 has run whatever it got.
        (long held, int delivered) = await network.DeliverHeldAsync(Timeout);
        output.WriteLine($"the partition held {held} bytes the orchestrator sent; {delivered} requests of them reached worker 0 after it rejoined");
        Assert.True(held > 0, "the partition held nothing: the INCR was not cut off, and this test tested nothing");

        // Both copies hold the INCR once, and the next INCR, decided on worker 0, counts on from there.
        Assert.Equal(new[] { "\"11\"", "\"11\"" }, await ReadDirectAsync([port0, port1], "counter"));
        RespReply next = client.Call("INCR", "counter");
        Assert.True(next.Type == ':' && next.Integer == 12, $"the INCR after the partition answered {next}, not 12:\n{orchestrator.Output}");
        Assert.Equal(new[] { "\"12\"", "\"12\"" }, await ReadDirectAsync([port0, port1], "counter"));
        for (int i = 0; i < 4; i++)
        {
            RespReply read = client.Call("GET", "counter");
            Assert.True(read.Text == "12", $"GET through the orchestrator answered {read}");
        }
    }

    /// <summary>The value each worker holds for <paramref name="key"/>, read straight from it (a worker without a secret serves anybody).</summary>
    private static Task<string[]> ReadDirectAsync(int[] ports, string key) => Task.Run(() => ports.Select(p =>
    {
        using RespConnection direct = RespConnection.Connect(p, Timeout);
        return direct.Call("GET", key).ToString();
    }).ToArray());
}
