using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using EchoCache.Load.Flood;
using EchoCache.Net.Cluster;
using Xunit.Abstractions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A memory flood through the orchestrator (docs/operations.md, "worker", --memory): five times what each worker may
/// hold, in values of 16 B to 16 KiB that do not compress, over four pipelining connections. Every write is
/// acknowledged (a full worker evicts, it does not refuse); each worker's peak resident memory stays within its
/// --memory plus the documented overhead, and its item memory and tables within --memory plus less than a page;
/// evictions show in the workers' and the orchestrator's INFO; and afterwards the copies are identical slot by slot
/// (<see cref="CopyAudit"/>). The long form, for minutes, is load/flood.sh.
/// </summary>
[Collection(MachineWideLoad.Name)]
public sealed class MemoryFloodTests(ITestOutputHelper output)
{
    private const long Memory = 16L << 20;
    // docs/operations.md, "worker": RSS above --memory, measured at 12 to 18 MiB.
    private const long Overhead = 24L << 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Five_times_the_memory_through_the_orchestrator_evicts_stays_within_the_limit_and_keeps_the_copies_identical(int workers)
    {
        var processes = new List<HostProcess>();
        try
        {
            var ports = new int[workers];
            for (int w = 0; w < workers; w++)
            {
                processes.Add(HostProcess.StartWorker(out ports[w], "--memory", "16mb"));
            }
            // A health timeout a machine busy with other work does not trip: a worker marked down would be refilled,
            // which this test allows but does not need. The copy check off: the copies must be identical without it.
            processes.Add(HostProcess.StartOrchestrator(out int port, ports, "--health-timeout", "2000", "--copy-check-interval", "0"));
            await FloodAsync(port, ports);
        }
        finally
        {
            foreach (HostProcess process in processes)
            {
                process.Dispose();
            }
        }
    }

    private async Task FloodAsync(int port, int[] ports)
    {
        int workers = ports.Length;
        // Each worker holds 2/N of the keys (all of them with two workers).
        long bytes = 5 * Memory * workers / 2;
        var flood = new MemoryFlood(new IPEndPoint(IPAddress.Loopback, port));
        FloodResult result = await flood.RunAsync(bytes, TimeSpan.FromSeconds(90));
        output.WriteLine(result.ToString());
        Assert.True(result.Bytes >= bytes, $"the flood stopped early: {result}");
        Assert.True(result.AllAcknowledged, result.ToString());

        await OrchestratorInfo.WaitUntilAsync(port, states => states.All(s => s == "up"), TimeSpan.FromSeconds(60),
            "every worker up after the flood");
        long evictedInAll = 0;
        for (int w = 0; w < workers; w++)
        {
            using var direct = RespConnection.Connect(ports[w], Timeout);
            string info = direct.Call("INFO").Text!;
            long evicted = Field(info, "evicted_keys"), used = Field(info, "used_memory"), max = Field(info, "maxmemory");
            int pid = (int)Field(info, "process_id");
            ProcessStatus status = ProcessStatus.Read(pid) ?? throw new InvalidOperationException($"worker {w} (pid {pid}) is gone");
            output.WriteLine($"worker {w}: evicted {evicted}, used_memory {used}, peak RSS {status.PeakResidentBytes} "
                + $"= --memory + {(status.PeakResidentBytes - Memory) / 1048576.0:F1} MiB");
            Assert.Equal(Memory, max);
            Assert.True(evicted > 0, $"worker {w} evicted nothing");
            Assert.True(used < Memory + (1 << 20), $"worker {w}: pages and tables hold {used} bytes");
            Assert.True(status.PeakResidentBytes <= Memory + Overhead,
                $"worker {w}: peak RSS {status.PeakResidentBytes} passes --memory {Memory} + {Overhead}");
            evictedInAll += evicted;
        }
        Assert.True(evictedInAll > 0);
        // The orchestrator's INFO adds up what its workers' health answers say (every 100 ms).
        using (var front = RespConnection.Connect(port, Timeout))
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            long shown, actual;
            while ((shown = Field(front.Call("INFO").Text!, "evicted_keys")) != (actual = EvictedInAll(ports)))
            {
                Assert.True(waited.Elapsed < Timeout, $"the orchestrator's INFO says evicted_keys:{shown}, its workers {actual}");
                await Task.Delay(20);
            }
        }

        IPEndPoint[] endPoints = [.. ports.Select(p => new IPEndPoint(IPAddress.Loopback, p))];
        // A few attempts: an eviction's delete reaches the other copy just after the write that caused it is answered.
        CopyAuditResult audit = await new CopyAudit(endPoints) { Attempts = 5 }.RunAsync();
        output.WriteLine(audit.Describe());
        Assert.True(audit.Identical, audit.Describe());
        Assert.True(audit.Workers.All(w => w.Items > 0));
    }

    private static long EvictedInAll(int[] ports)
    {
        long evicted = 0;
        foreach (int workerPort in ports)
        {
            using var direct = RespConnection.Connect(workerPort, Timeout);
            evicted += Field(direct.Call("INFO", "stats").Text!, "evicted_keys");
        }
        return evicted;
    }

    private static long Field(string info, string name)
    {
        Match match = Regex.Match(info, $@"(?m)^{name}:(-?\d+)\r?$");
        Assert.True(match.Success, $"INFO has no {name}:\n{info}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
