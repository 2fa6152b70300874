using EchoCache.Net.Security;

namespace EchoCache.Net.Worker;

/// <summary>
/// Which orchestrator a worker serves (docs/consistency.md, "Epochs"), shared by all its connections. With a
/// <see cref="Secret"/> the worker belongs to a cluster: only connections that proved the secret and joined at the
/// current epoch (orchestrator links) are served. Without one, anybody is served (a standalone worker, or a
/// cluster that trusts its network), but joined links are fenced by epoch all the same.
/// </summary>
public sealed class ClusterMembership(ClusterSecret? secret = null)
{
    private long _epoch;
    private long _joins;
    private long _refusedJoins;
    private long _refusedRequests;

    /// <summary>The cluster secret, or null when the worker serves anybody.</summary>
    public ClusterSecret? Secret { get; } = secret;

    /// <summary>Whether only authenticated orchestrator links are served.</summary>
    public bool IsClosed => Secret != null;

    /// <summary>The highest epoch an orchestrator has joined this worker with (0: none yet).</summary>
    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>Links joined since start.</summary>
    public long Joins => Interlocked.Read(ref _joins);

    /// <summary>Joins refused: a proof that did not match, or an epoch older than <see cref="Epoch"/>.</summary>
    public long RefusedJoins => Interlocked.Read(ref _refusedJoins);

    /// <summary>Requests refused: from a connection that is no orchestrator link, or from a fenced link.</summary>
    public long RefusedRequests => Interlocked.Read(ref _refusedRequests);

    /// <summary>
    /// Joins a link at <paramref name="epoch"/>: raises the worker's epoch to it (fencing every older link) and
    /// returns true, or returns false when a newer orchestrator has joined already.
    /// </summary>
    public bool TryJoin(long epoch)
    {
        long current = Volatile.Read(ref _epoch);
        while (epoch > current)
        {
            long seen = Interlocked.CompareExchange(ref _epoch, epoch, current);
            if (seen == current)
            {
                break;
            }
            current = seen;
        }
        if (epoch < Volatile.Read(ref _epoch))
        {
            Interlocked.Increment(ref _refusedJoins);
            return false;
        }
        Interlocked.Increment(ref _joins);
        return true;
    }

    /// <summary>Counts a join refused for its proof.</summary>
    public void CountRefusedJoin() => Interlocked.Increment(ref _refusedJoins);

    /// <summary>Counts a refused request.</summary>
    public void CountRefusedRequest() => Interlocked.Increment(ref _refusedRequests);
}
