using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>The answer to a worker's latest HEALTH request: when it came and what it said.</summary>
internal sealed class HealthProbe : IWorkerReplyTarget
{
    private long _answered;
    private ulong _instanceId;

    /// <summary>The token of the last probe answered (probes are numbered).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>The worker's instance id from its last answer (a new one means it restarted).</summary>
    public ulong InstanceId => Interlocked.Read(ref _instanceId);

    /// <summary>Forgets earlier answers (a fresh set of links numbers its probes from 1 again).</summary>
    public void Reset() => Interlocked.Exchange(ref _answered, 0);

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (frame.Header.Status == BinaryStatus.Ok && BinaryHealth.TryRead(frame.Value, out BinaryHealth health))
        {
            Interlocked.Exchange(ref _instanceId, health.InstanceId);
        }
        Interlocked.Exchange(ref _answered, token);
    }

    public void OnLinkFailed(long token)
    {
        // The node learns of the failure through the link's own callback.
    }
}
