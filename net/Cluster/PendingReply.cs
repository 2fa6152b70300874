namespace EchoCache.Net.Cluster;

/// <summary>A request sent on a <see cref="WorkerLink"/> and not yet fully answered.</summary>
internal readonly record struct PendingReply(ulong RequestId, IWorkerReplyTarget Target, long Token);
