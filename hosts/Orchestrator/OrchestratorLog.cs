using System.Net;
using Microsoft.Extensions.Logging;

namespace EchoCache.Orchestrator;

/// <summary>The orchestrator host's log events, generated at compile time.</summary>
internal static partial class OrchestratorLog
{
    [LoggerMessage(1, LogLevel.Information, "listening on {EndPoint}; {Workers} workers in {Pairs} replica pairs")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint, int workers, int pairs);

    [LoggerMessage(2, LogLevel.Information, "stopping ({Signal})")]
    public static partial void Stopping(ILogger logger, string signal);

    [LoggerMessage(3, LogLevel.Critical, "cannot listen on {EndPoint}: {Reason}")]
    public static partial void CannotListen(ILogger logger, IPEndPoint endPoint, string reason);

    [LoggerMessage(4, LogLevel.Information, "clients must authenticate: a password is set")]
    public static partial void PasswordRequired(ILogger logger);

    [LoggerMessage(5, LogLevel.Warning, "listening on {EndPoint} with no password: protected mode serves only clients on 127.0.0.1 and ::1 (set a password with --requirepass-file, or give --protected-mode no)")]
    public static partial void ProtectedMode(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(6, LogLevel.Warning, "listening on {EndPoint} with no password and protected mode off: anyone who reaches the port can read, write and flush")]
    public static partial void Unprotected(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(7, LogLevel.Warning, "the cluster secret file {Path} can be read by other users: chmod 600 it")]
    public static partial void SecretFileReadable(ILogger logger, string path);
}
