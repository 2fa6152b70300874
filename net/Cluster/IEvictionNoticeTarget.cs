namespace EchoCache.Net.Cluster;

/// <summary>
/// Where a <see cref="WorkerLink"/> hands the EVICTED frames a worker writes unasked (docs/protocol.md, "EVICTED"):
/// on the link's loop thread, in the order they arrive, before any reply that follows them on the link is handled.
/// </summary>
public interface IEvictionNoticeTarget
{
    /// <summary>
    /// The worker evicted <paramref name="key"/>'s item of <paramref name="version"/>; <paramref name="sequence"/>
    /// numbers its notices (the same notice may come on each of its connections). The key is valid only during the call.
    /// </summary>
    void OnEvicted(ReadOnlySpan<byte> key, ulong version, ulong sequence);

    /// <summary>The worker could not keep some notices for this connection: its evictions are no longer all known.</summary>
    void OnNoticesLost();
}
