using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A read routed to one up replica of its slot. If that replica's link fails before it answers, the read is sent
/// again to the other replica, where it queues behind any write already in flight: so it cannot miss a write an
/// earlier read may have seen (docs/consistency.md). Pooled by its session: the key buffer is kept between uses.
/// </summary>
internal sealed class ReadCall : IWorkerReplyTarget
{
    private ClusterSession _session = null!;
    private long _sequence;
    private int _slot;
    private BinaryFrameHeader _request;
    private byte[] _key = new byte[64];
    private int _keyLength;
    private int _worker;

    public void Start(ClusterSession session, long sequence, ReadOnlySpan<byte> key, in BinaryFrameHeader request)
    {
        _session = session;
        _sequence = sequence;
        _slot = SlotMap.SlotOf(key);
        _request = request;
        CallBuffers.CopyInto(ref _key, key);
        _keyLength = key.Length;
        Send(avoid: -1);
    }

    private void Send(int avoid)
    {
        Cluster cluster = _session.Cluster;
        while (true)
        {
            WorkerNode? reader;
            bool sent = false;
            using (cluster.SlotLock(_slot).EnterScope())
            {
                reader = cluster.PickReader(_slot, avoid);
                if (reader != null)
                {
                    _worker = reader.Index;
                    // The orchestrator's clock goes along: expiry is judged by one clock on both copies.
                    BinaryFrameHeader request = _request with
                    {
                        Flags = _request.Flags | BinaryFrameFlags.SenderClock,
                        Expiry = cluster.Clock.Instant(),
                    };
                    WorkerLink? link = reader.LinkFor(_slot);
                    sent = link != null && link.Send(request, _key.AsSpan(0, _keyLength), default, this, 0);
                }
            }
            if (reader == null)
            {
                Finish(cluster.Unavailable("no live replica holds this key"u8));
                return;
            }
            if (sent)
            {
                return;
            }
            reader.MarkDown("a request could not be sent");
            avoid = reader.Index;
        }
    }

    public void OnReply(in BinaryFrame frame, long token) => Finish(new ClusterReply(frame));

    public void OnLinkFailed(long token) => Send(avoid: _worker);

    private void Finish(in ClusterReply reply)
    {
        ClusterSession session = _session;
        session.Complete(_sequence, reply);
        session.Return(this);
    }
}
