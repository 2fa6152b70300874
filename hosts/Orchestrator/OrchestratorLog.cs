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
}
