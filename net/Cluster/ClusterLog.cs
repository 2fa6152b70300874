using System.Net;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Cluster;

/// <summary>The orchestrator's log events, generated at compile time.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(10, LogLevel.Warning, "worker {Index} ({EndPoint}) is down: {Reason}")]
    public static partial void WentDown(ILogger logger, int index, IPEndPoint endPoint, string reason);

    [LoggerMessage(12, LogLevel.Information, "worker {Index} ({EndPoint}) is {State}: {Reason}")]
    public static partial void StateChanged(ILogger logger, int index, IPEndPoint endPoint, WorkerState state, string reason);

    [LoggerMessage(11, LogLevel.Information, "resync of worker {Target} from worker {Source}: {Items} items streamed, {Applied} applied")]
    public static partial void ResyncProgress(ILogger logger, int target, int source, long items, long applied);
}
