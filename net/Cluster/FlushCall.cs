using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// FLUSHDB / FLUSHALL through the orchestrator: every copy is emptied, as a barrier (docs/consistency.md, "The
/// keyspace as one"). With every slot lock held, the flush takes a version above every write queued before it and
/// below every write queued after, and goes to every worker that is up or being refilled as a FLUSH carrying it: a
/// worker removes what it holds at or below that version, keeps what is newer (a later write may arrive first on
/// another connection), and refuses older replica writes that arrive later. So no write acknowledged before the
/// flush reappears after it, and none after it is lost. Answered once every worker has; a worker that fails it is
/// marked down (and is flushed when it returns, as every returning worker is).
/// </summary>
internal sealed class FlushCall : IWorkerReplyTarget
{
    private ClusterSession _session = null!;
    private long _sequence;
    private int _outstanding;

    public void Start(ClusterSession session, long sequence)
    {
        _session = session;
        _sequence = sequence;
        Cluster cluster = session.Cluster;
        _outstanding = 1; // held until every flush is queued
        cluster.UnderEverySlotLock(version =>
        {
            foreach (WorkerNode worker in cluster.Workers)
            {
                if (worker.State is not (WorkerState.Up or WorkerState.Syncing))
                {
                    continue;
                }
                Interlocked.Increment(ref _outstanding);
                WorkerLink? link = worker.LinkFor(0);
                if (link == null || !link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Flush, Version = version },
                        default, default, this, worker.Index))
                {
                    worker.MarkDown("a flush could not be sent");
                    Interlocked.Decrement(ref _outstanding);
                }
            }
        });
        Finish();
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (frame.Header.Status != BinaryStatus.Ok)
        {
            _session.Cluster.Workers[token].MarkDown($"failed a flush ({frame.Header.Status})");
        }
        Finish();
    }

    public void OnLinkFailed(long token)
    {
        _session.Cluster.Workers[token].MarkDown("connection lost during a flush");
        Finish();
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }
        bool served = _session.Cluster.Workers.Any(worker => worker.State == WorkerState.Up);
        _session.Complete(_sequence, served
            ? new ClusterReply(BinaryStatus.Ok)
            : _session.Cluster.Unavailable("no live replica holds this key"u8));
    }
}
