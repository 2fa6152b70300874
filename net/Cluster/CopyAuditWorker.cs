using System.Net;

namespace EchoCache.Net.Cluster;

/// <summary>What one worker answered a <see cref="CopyAudit"/>.</summary>
/// <param name="Index">Its position in the worker list (the orchestrator's command-line order).</param>
/// <param name="EndPoint">Where it listens.</param>
/// <param name="Epoch">The epoch the audit's link joined it at (its own, so nobody was fenced out); 0 if it did not join.</param>
/// <param name="Items">Live items it counted, in every slot.</param>
/// <param name="HighestVersion">The highest version of any item or tombstone it holds.</param>
/// <param name="StrayItems">Live items it holds in slots that are not its (of neither pair it belongs to).</param>
/// <param name="Failure">Why it gave no digest (unreachable, refused the link, timed out); null when it did.</param>
public sealed record CopyAuditWorker(int Index, IPEndPoint EndPoint, ulong Epoch, ulong Items, ulong HighestVersion,
    ulong StrayItems, string? Failure);
