using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A write sent, with one version, to every replica of its slot that is up or syncing, and acknowledged once all
/// of them have answered (docs/consistency.md). A replica that fails to apply it (its link fails, or it answers
/// Busy or ServerError) is marked down before the acknowledgement. The client gets the answer of a replica that
/// applied the write and is still up at that moment, or Unavailable when there is none.
/// </summary>
internal sealed class WriteCall(ClusterSession session, long sequence, int slot, BinaryFrameHeader request, byte[] key,
    byte[] value) : IWorkerReplyTarget
{
    private readonly Lock _lock = new();
    private int _outstanding;
    private int _applied0 = -1;
    private int _applied1 = -1;
    private BinaryFrameHeader _result;
    private byte[] _resultValue = [];

    public void Start()
    {
        Cluster cluster = session.Cluster;
        WorkerNode primary = cluster.Workers[cluster.Map.PrimaryOf(slot)];
        WorkerNode partner = cluster.Workers[cluster.Map.PartnerOf(slot)];
        if (primary.State != WorkerState.Up && partner.State != WorkerState.Up)
        {
            session.Complete(sequence, new ClusterReply(BinaryStatus.Unavailable, "no live replica holds this key"u8));
            return;
        }
        // One extra count held until both sends are queued, so an early answer cannot finish the call.
        _outstanding = 3;
        using (cluster.SlotLock(slot).EnterScope())
        {
            // The version is taken under the slot lock: writes to a key are queued in version order.
            BinaryFrameHeader versioned = request with { Version = cluster.Clock.Next() };
            SendTo(primary, versioned);
            SendTo(partner, versioned);
        }
        Finish();
    }

    private void SendTo(WorkerNode worker, in BinaryFrameHeader header)
    {
        if (worker.State is WorkerState.Down or WorkerState.Returning)
        {
            Finish();
            return;
        }
        WorkerLink? link = worker.LinkFor(slot);
        if (link == null || !link.Send(header, key, value, this, worker.Index))
        {
            worker.MarkDown("a write could not be sent");
            Finish();
        }
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        WorkerNode worker = session.Cluster.Workers[token];
        BinaryStatus status = frame.Header.Status;
        if (status is BinaryStatus.Busy or BinaryStatus.ServerError)
        {
            worker.MarkDown($"failed to apply a write ({status})");
        }
        else
        {
            using (_lock.EnterScope())
            {
                if (_applied0 < 0)
                {
                    _applied0 = worker.Index;
                    _result = frame.Header;
                    _resultValue = frame.Value.ToArray();
                }
                else
                {
                    _applied1 = worker.Index;
                }
            }
        }
        Finish();
    }

    public void OnLinkFailed(long token)
    {
        session.Cluster.Workers[token].MarkDown("connection lost during a write");
        Finish();
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }
        WorkerNode[] workers = session.Cluster.Workers;
        bool held = (_applied0 >= 0 && workers[_applied0].State == WorkerState.Up)
            || (_applied1 >= 0 && workers[_applied1].State == WorkerState.Up);
        session.Complete(sequence, held
            ? new ClusterReply(_result, _resultValue)
            : new ClusterReply(BinaryStatus.Unavailable, "no live replica applied the write"u8));
    }
}
