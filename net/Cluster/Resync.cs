using System.Diagnostics;
using EchoCache.Net.Protocol;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Refills a returning worker from its partners while the cache keeps serving (docs/consistency.md, Resync):
/// flush it; let writes flow to it (syncing); make sure every write queued before that has reached the source;
/// stream the source's snapshot into it as versioned replica writes and deletes; mark it up once the stream has
/// ended and the worker has answered every forwarded write. Versions settle every race with the live writes.
/// </summary>
internal sealed class Resync : IWorkerReplyTarget
{
    private const long StreamToken = -1;
    private const long ForwardToken = 0;

    private readonly Cluster _cluster;
    private readonly WorkerNode _target;
    private readonly WorkerNode _source;
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _items;
    private long _forwarded;
    private long _acknowledged;
    private int _ended;

    private Resync(Cluster cluster, WorkerNode target, WorkerNode source)
    {
        _cluster = cluster;
        _target = target;
        _source = source;
    }

    /// <summary>Runs a whole resync of <paramref name="target"/>; false (and the worker down) if it could not finish.</summary>
    public static async Task<bool> RunAsync(Cluster cluster, WorkerNode target, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        // 1. Discard whatever the worker holds: empty after a restart, possibly stale after a partition.
        if (await AskAsync(target, 0, BinaryOpcode.Flush).ConfigureAwait(false) != BinaryStatus.Ok)
        {
            target.MarkDown("could not be flushed for its resync");
            return false;
        }
        // 2. From now on every write to its slots reaches it. A write that read the old state is still enqueueing
        //    under its slot lock: wait those out, then make sure everything queued so far on the sources has been
        //    applied there (a PING behind it on each link), so the snapshot that follows includes it.
        target.SetState(WorkerState.Syncing, "flushed; refilling from its partners");
        cluster.DrainSlotLocks();
        var sources = new List<WorkerNode>();
        foreach (int index in cluster.Map.PartnersOf(target.Index))
        {
            WorkerNode source = cluster.Workers[index];
            if (source.State != WorkerState.Up)
            {
                continue;
            }
            for (int link = 0; link < cluster.Options.LinksPerWorker; link++)
            {
                if (await AskAsync(source, link, BinaryOpcode.Ping).ConfigureAwait(false) != BinaryStatus.Ok)
                {
                    target.MarkDown($"its partner {source.EndPoint} failed during the resync");
                    return false;
                }
            }
            sources.Add(source);
        }
        // 3. Stream each source's items for the slots they share.
        long items = 0;
        foreach (WorkerNode source in sources)
        {
            var resync = new Resync(cluster, target, source);
            if (!await resync.StreamAsync(logger, cancellationToken).ConfigureAwait(false))
            {
                target.MarkDown($"its resync from {source.EndPoint} failed");
                return false;
            }
            items += resync._items;
        }
        if (target.State != WorkerState.Syncing)
        {
            return false;
        }
        // 4. Holding every acknowledged write of its slots: it may serve reads again.
        target.SetState(WorkerState.Up,
            sources.Count == 0
                ? "no partner holds a copy to refill from; serving what it holds"
                : $"resync complete: {items} items in {started.Elapsed.TotalMilliseconds:F0} ms");
        return true;
    }

    /// <summary>Sends one request on one of a worker's links and waits for its answer (null if the link failed).</summary>
    private static async Task<BinaryStatus?> AskAsync(WorkerNode worker, int link, BinaryOpcode opcode)
    {
        var reply = new AwaitedReply();
        WorkerLink? connection = worker.LinkFor(link);
        if (connection == null || !connection.Send(new BinaryFrameHeader { Opcode = opcode }, default, default, reply, 0))
        {
            return null;
        }
        return await reply.Answer.ConfigureAwait(false);
    }

    private async Task<bool> StreamAsync(ILogger logger, CancellationToken cancellationToken)
    {
        // A connection of its own: the stream's many reply frames must not hold up the source's live traffic.
        using WorkerLink stream = await WorkerLink.ConnectAsync(_source.EndPoint, null, cancellationToken).ConfigureAwait(false);
        if (!stream.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default, this, StreamToken))
        {
            return false;
        }
        while (true)
        {
            Task finished = await Task.WhenAny(_done.Task, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
            if (finished == _done.Task)
            {
                return await _done.Task.ConfigureAwait(false);
            }
            ClusterLog.ResyncProgress(logger, _target.Index, _source.Index, Interlocked.Read(ref _items),
                Interlocked.Read(ref _acknowledged));
        }
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (token == ForwardToken)
        {
            // The target's answer to a forwarded item: Stale (a live write was newer) and NotFound (a delete of
            // nothing, recorded as a tombstone) count as applied; anything else means it could not apply it.
            if (frame.Header.Status is BinaryStatus.Ok or BinaryStatus.Stale or BinaryStatus.NotFound)
            {
                Interlocked.Increment(ref _acknowledged);
                CheckDone();
            }
            else
            {
                _target.MarkDown($"failed to apply a resync write ({frame.Header.Status})");
                _done.TrySetResult(false);
            }
            return;
        }
        BinaryFrameHeader header = frame.Header;
        if (!header.Has(BinaryFrameFlags.More))
        {
            // The end frame carries the count of items the source sent.
            Volatile.Write(ref _ended, 1);
            CheckDone();
            return;
        }
        Interlocked.Increment(ref _items);
        int slot = SlotMap.SlotOf(frame.Key);
        if (!_cluster.Map.SourceServes(_target.Index, _source.Index, slot))
        {
            return;
        }
        bool tombstone = header.Has(BinaryFrameFlags.Tombstone);
        var forward = new BinaryFrameHeader
        {
            Opcode = tombstone ? BinaryOpcode.ReplicaDelete : BinaryOpcode.ReplicaSet,
            Version = header.Version,
            Flags = tombstone ? BinaryFrameFlags.None : header.Flags & (BinaryFrameFlags.Compressed | BinaryFrameFlags.AbsoluteExpiry),
            ItemFlags = tombstone ? 0 : header.ItemFlags,
            Expiry = tombstone ? 0 : header.Expiry,
        };
        Interlocked.Increment(ref _forwarded);
        WorkerLink? link = _target.LinkFor(slot);
        if (link == null || !link.Send(forward, frame.Key, tombstone ? default : frame.Value, this, ForwardToken))
        {
            _done.TrySetResult(false);
        }
    }

    public void OnLinkFailed(long token) => _done.TrySetResult(false);

    private void CheckDone()
    {
        if (Volatile.Read(ref _ended) == 1 && Interlocked.Read(ref _acknowledged) == Interlocked.Read(ref _forwarded))
        {
            _done.TrySetResult(true);
        }
    }
}
