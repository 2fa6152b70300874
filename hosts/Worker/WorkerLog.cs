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

    [LoggerMessage(5, LogLevel.Information, "clients must authenticate: a password is set")]
    public static partial void PasswordRequired(ILogger logger);

    [LoggerMessage(6, LogLevel.Warning, "listening on {EndPoint} with no password: protected mode serves only clients on 127.0.0.1 and ::1 (set a password with --requirepass-file, or give --protected-mode no)")]
    public static partial void ProtectedMode(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(7, LogLevel.Warning, "listening on {EndPoint} with no password and protected mode off: anyone who reaches the port can read, write and flush")]
    public static partial void Unprotected(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(8, LogLevel.Warning, "the cluster secret file {Path} can be read by other users: chmod 600 it")]
    public static partial void SecretFileReadable(ILogger logger, string path);

    [LoggerMessage(9, LogLevel.Information, "belongs to a cluster: serves only orchestrator links that prove the cluster secret")]
    public static partial void ClusterOnly(ILogger logger);
}
