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

    [LoggerMessage(16, LogLevel.Warning, "worker {Index} ({EndPoint}) waits to rejoin: {Reason}")]
    public static partial void RejoinWaits(ILogger logger, int index, IPEndPoint endPoint, string reason);

    [LoggerMessage(13, LogLevel.Information, "took epoch {Epoch} ({Reachable} of {Workers} workers reachable): orchestrators of earlier epochs are fenced out of them")]
    public static partial void TookEpoch(ILogger logger, ulong epoch, int reachable, int workers);

    [LoggerMessage(14, LogLevel.Warning, "worker {Index} ({EndPoint}) refuses this orchestrator's links: {Reason}")]
    public static partial void LinkRefused(ILogger logger, int index, IPEndPoint endPoint, string reason);

    [LoggerMessage(15, LogLevel.Critical, "lost the cluster: a newer orchestrator (epoch {Newer}) has joined the workers of this one (epoch {Epoch}); it serves no more requests and should be stopped")]
    public static partial void LostCluster(ILogger logger, ulong epoch, ulong newer);
}
