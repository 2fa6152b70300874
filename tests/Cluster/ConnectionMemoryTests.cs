using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EchoCache.Engine;
using EchoCache.Net.Cluster;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EchoCache.Tests.Cluster;

/// <summary>
/// Thousands of client connections to the orchestrator's server, opened idle and closed again, leave nothing behind:
/// once they are closed, a full collection brings the managed heap back to where it was. (The process's resident set
/// does not come back, HostileClientsTests shows: the runtime keeps what it grew. What matters is that nothing stays
/// alive, so the next wave reuses it.) In this process, so the collection can be forced; alone, since it measures the
/// whole heap.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class ConnectionMemoryTests(ITestOutputHelper output)
{
    // Both ends are in this process: 2 descriptors a connection.
    private const int Connections = 5_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Idle_connections_opened_and_closed_leave_nothing_in_the_managed_heap()
    {
        using var engine0 = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        using var engine1 = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        using var workerLoops = new EventLoopGroup(1, "test worker loop");
        var stats = new WorkerStats();
        using var worker0 = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(engine0, stats), workerLoops);
        using var worker1 = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(engine1, stats), workerLoops);
        worker0.Start();
        worker1.Start();
        using var loops = new EventLoopGroup(1, "test loop");
        using var cluster = new EchoCache.Net.Cluster.Cluster([worker0.LocalEndPoint, worker1.LocalEndPoint],
            new ClusterOptions { HealthInterval = TimeSpan.FromSeconds(30) }, loops, NullLogger.Instance);
        await cluster.StartAsync(CancellationToken.None);
        using SocketServer server = SocketServer.CreateDuplex(new IPEndPoint(IPAddress.Loopback, 0),
            () => new ClusterSessionSelector(cluster), loops);
        server.Start();

        // A first wave grows what stays for good at its size (the loop's socket table and free ids, the server's
        // connection set, compiled code); the second, as large, is measured.
        await WaveAsync(server, Connections);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long held = await WaveAsync(server, Connections);
        long after = GC.GetTotalMemory(forceFullCollection: true);

        output.WriteLine($"managed heap: {before / 1024.0:F0} KiB before, {(before + held) / 1024.0:F0} KiB with {Connections} idle "
            + $"connections ({held / (double)Connections:F0} bytes each, both ends), {after / 1024.0:F0} KiB after they closed");
        Assert.True(held > Connections * 100, $"{held} bytes for {Connections} connections: the measure measures nothing");
        // A connection left alive would hold its socket, its session and its loop entry: hundreds of bytes each.
        Assert.True(after - before < Connections * 20, $"the heap kept {after - before} bytes after {Connections} connections closed");
        Assert.Equal(0, loops.Faults);
    }

    /// <summary>
    /// Opens <paramref name="count"/> idle connections and waits until the server serves them all; measures the heap
    /// (after a full collection) above what it was before; closes them and waits until the server has let them go.
    /// </summary>
    private static async Task<long> WaveAsync(SocketServer server, int count)
    {
        long start = GC.GetTotalMemory(forceFullCollection: true);
        var sockets = new List<Socket>(count);
        try
        {
            while (sockets.Count < count)
            {
                Socket[] batch = [.. Enumerable.Range(0, Math.Min(200, count - sockets.Count)).Select(_ => new Socket(SocketType.Stream, ProtocolType.Tcp))];
                sockets.AddRange(batch);
                using var connecting = new CancellationTokenSource(Deadline);
                await Task.WhenAll(batch.Select(s => s.ConnectAsync(server.LocalEndPoint, connecting.Token).AsTask()));
            }
            WaitFor(() => server.ConnectionCount == count, $"the server never served {count} connections");
            return GC.GetTotalMemory(forceFullCollection: true) - start;
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
            WaitFor(() => server.ConnectionCount == 0, "the server kept connections whose clients closed");
        }
    }

    private static void WaitFor(Func<bool> condition, string failure)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Deadline, failure);
            Thread.Sleep(10);
        }
    }
}
