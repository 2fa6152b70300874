using System.Diagnostics;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>What a worker knows about itself beyond its engine: identity, uptime, clients and counters.</summary>
public sealed class WorkerStats
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _nextClientId;
    private long _commands;

    /// <summary>Random and non-zero, chosen at start: a new id tells the orchestrator the worker restarted.</summary>
    public ulong InstanceId { get; } = (ulong)Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>When the worker started.</summary>
    public DateTime StartedUtc { get; } = DateTime.UtcNow;

    /// <summary>Time since start.</summary>
    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_started);

    /// <summary>The server, once listening (for its connection count).</summary>
    public SocketServer? Server { get; set; }

    /// <summary>The RESP clients connected (CLIENT LIST, CLIENT KILL).</summary>
    public ClientRegistry Registry { get; } = new();

    /// <summary>Connections being served.</summary>
    public int Connections => Server?.ConnectionCount ?? 0;

    /// <summary>The most connections served at once (INFO's maxclients); 0 before the server listens.</summary>
    public int MaxConnections => Server?.MaxConnections ?? 0;

    /// <summary>Connections refused because the server was full (INFO's rejected_connections).</summary>
    public long RejectedConnections => Server?.RejectedConnections ?? 0;

    /// <summary>Commands executed since start.</summary>
    public long CommandsProcessed => Interlocked.Read(ref _commands);

    /// <summary>A new client id (CLIENT ID).</summary>
    public long NextClientId() => Interlocked.Increment(ref _nextClientId);

    /// <summary>Counts one executed command.</summary>
    public void CountCommand() => Interlocked.Increment(ref _commands);
}
