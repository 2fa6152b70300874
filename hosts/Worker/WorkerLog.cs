using System.Net;
using Microsoft.Extensions.Logging;

namespace EchoCache.Worker;

/// <summary>The worker's log events, generated at compile time: no allocation when a level is off.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(1, LogLevel.Information, "listening on {EndPoint} with {MemoryMiB} MiB of item memory in {Shards} shards")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint, long memoryMiB, int shards);

    [LoggerMessage(2, LogLevel.Information, "stopping ({Signal}); {Items} items, {Connections} connections open")]
    public static partial void Stopping(ILogger logger, string signal, long items, int connections);

    [LoggerMessage(3, LogLevel.Critical, "cannot listen on {EndPoint}: {Reason}")]
    public static partial void CannotListen(ILogger logger, IPEndPoint endPoint, string reason);

    [LoggerMessage(4, LogLevel.Debug, "maintenance removed {Removed} expired items")]
    public static partial void Swept(ILogger logger, int removed);

    [LoggerMessage(5, LogLevel.Information, "belongs to a cluster: serves only orchestrator links that prove the cluster secret")]
    public static partial void ClusterOnly(ILogger logger);
}
