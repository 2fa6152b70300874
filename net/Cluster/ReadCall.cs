using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A read routed to one up replica of its slot. If that replica's link fails before it answers, the read is sent
/// again to the other replica, where it queues behind any write already in flight: so it cannot miss a write an
/// earlier read may have seen (docs/consistency.md).
/// </summary>
internal sealed class ReadCall(ClusterSession session, long sequence, int slot, BinaryFrameHeader request, byte[] key)
    : IWorkerReplyTarget
{
    private int _worker = -1;

    public void Start(int avoid = -1)
    {
        Cluster cluster = session.Cluster;
        while (true)
        {
            WorkerNode? reader = cluster.PickReader(slot, avoid);
            if (reader == null)
            {
                session.Complete(sequence, new ClusterReply(BinaryStatus.Unavailable, "no live replica holds this key"u8));
                return;
            }
            _worker = reader.Index;
            bool sent;
            using (cluster.SlotLock(slot).EnterScope())
            {
                WorkerLink? link = reader.LinkFor(slot);
                sent = link != null && link.Send(request, key, default, this, 0);
            }
            if (sent)
            {
                return;
            }
            reader.MarkDown("a request could not be sent");
            avoid = reader.Index;
        }
    }

    public void OnReply(in BinaryFrame frame, long token) => session.Complete(sequence, new ClusterReply(frame));

    public void OnLinkFailed(long token) => Start(avoid: _worker);
}
