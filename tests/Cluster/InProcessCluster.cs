using System.Net;
using EchoCache.Engine;
using EchoCache.Net.Cluster;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace EchoCache.Tests.Cluster;

/// <summary>Two workers and an orchestrator in this process, on loopback ports: for tests that look inside.</summary>
internal sealed class InProcessCluster : IDisposable
{
    private readonly CacheEngine _engine0 = new(new EngineOptions { MemoryLimit = 64L << 20 });
    private readonly CacheEngine _engine1 = new(new EngineOptions { MemoryLimit = 64L << 20 });
    private readonly EventLoopGroup _workerLoops = new(1, "test worker loop");
    private readonly SocketServer _worker0;
    private readonly SocketServer _worker1;
    private readonly EventLoopGroup _loops = new(1, "test loop");
    private readonly EchoCache.Net.Cluster.Cluster _cluster;

    private readonly List<ClusterSessionSelector> _sessions = [];

    private InProcessCluster(ClusterOptions? options)
    {
        var stats = new WorkerStats();
        _worker0 = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(_engine0, stats), _workerLoops);
        _worker1 = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(_engine1, stats), _workerLoops);
        _worker0.Start();
        _worker1.Start();
        _cluster = new EchoCache.Net.Cluster.Cluster([_worker0.LocalEndPoint, _worker1.LocalEndPoint],
            options ?? new ClusterOptions { HealthInterval = TimeSpan.FromSeconds(30) }, _loops, NullLogger.Instance);
        Orchestrator = SocketServer.CreateDuplex(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            var session = new ClusterSessionSelector(_cluster);
            lock (_sessions) _sessions.Add(session);
            return session;
        }, _loops);
    }

    /// <summary>The orchestrator's server, listening.</summary>
    public SocketServer Orchestrator { get; }

    /// <summary>The orchestrator's client sessions, in the order their connections were accepted.</summary>
    public ClusterSessionSelector[] Sessions
    {
        get
        {
            lock (_sessions) return [.. _sessions];
        }
    }

    /// <summary>Callbacks that threw on the orchestrator's event loop.</summary>
    public long LoopFaults => _loops.Faults;

    /// <summary>Starts the workers, connects the orchestrator to them, and starts it.</summary>
    public static async Task<InProcessCluster> StartAsync(ClusterOptions? options = null)
    {
        var cluster = new InProcessCluster(options);
        await cluster._cluster.StartAsync(CancellationToken.None);
        cluster.Orchestrator.Start();
        return cluster;
    }

    public void Dispose()
    {
        Orchestrator.Dispose();
        _cluster.Dispose();
        _loops.Dispose();
        _worker0.Dispose();
        _worker1.Dispose();
        _workerLoops.Dispose();
        _engine0.Dispose();
        _engine1.Dispose();
    }
}
