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
    // Forwarded writes not yet answered before the stream is paused, and the level at which it resumes:
    // without a window a fast source would pile the whole snapshot up in the target's send buffer.
    private const long Window = 50_000;
    private const long ResumeAt = Window / 2;

    private WorkerLink? _stream;

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

    /// <summary>
    /// Brings a returning worker back (docs/consistency.md, Resync): refilled from its up partners, or, when of some
    /// pair its copy is the newest left, with its own data (<see cref="Cluster.PlanRejoin"/>). Never flushes a worker
    /// unless every pair it holds has an up partner to refill it from. False (and the worker down) if it could not finish.
    /// </summary>
    public static async Task<bool> RunAsync(Cluster cluster, WorkerNode target, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        ulong instance = await InstanceOfAsync(target).ConfigureAwait(false);
        if (instance == 0)
        {
            target.MarkDown("no health answer after reconnecting");
            return false;
        }
        // Whether it still holds what it held when it went down: decided once per return, and its partners' own
        // rejoin waits for it (docs/consistency.md, Resync, step 0).
        target.CopyLost = instance != target.InstanceBeforeDown || target.Emptied;
        target.ReturnKnown = true;
        RejoinPlan plan;
        string reason;
        string? logged = null;
        while ((plan = cluster.PlanRejoin(target, out reason)) == RejoinPlan.Wait)
        {
            if (reason != logged)
            {
                ClusterLog.RejoinWaits(logger, target.Index, target.EndPoint, logged = reason);
            }
            // A partner that is not up may hold a newer copy of a pair: serve nothing and touch nothing until it is
            // back (its pairs answer "unavailable" meanwhile, never a guess from this copy).
            await Task.Delay(cluster.Options.HealthInterval, cancellationToken).ConfigureAwait(false);
            if (target.State != WorkerState.Returning)
            {
                return false;
            }
        }
        bool keepData = plan == RejoinPlan.Keep;
        // The partners it catches up from or is refilled from: the ones up now. One that leaves before its stream
        // starts sends the worker back to planning (a pair refilled from nobody would be served empty).
        WorkerNode[] sources = [.. cluster.Map.PartnersOf(target.Index)
            .Select(index => cluster.Workers[index])
            .Where(partner => partner.State == WorkerState.Up)];
        // 1. Discard what it holds (empty after a restart, stale after a partition) — unless it keeps its copy.
        if (!keepData)
        {
            target.Emptied = true;
            if (await AskAsync(target.ControlLink, BinaryOpcode.Flush).ConfigureAwait(false) != BinaryStatus.Ok)
            {
                target.MarkDown("could not be flushed for its resync");
                return false;
            }
        }
        //    Kept data still loses what a FLUSHALL through the orchestrator removed while it was away.
        if (keepData && cluster.FlushFloor != 0
            && await AskAsync(target.ControlLink, BinaryOpcode.Flush, cluster.FlushFloor).ConfigureAwait(false) != BinaryStatus.Ok)
        {
            target.MarkDown("could not apply the cluster's last flush");
            return false;
        }
        // 2. From now on every write to its slots reaches it. A write that read the old state is still enqueueing
        //    under its slot lock: wait those out, then make sure everything queued so far on the sources has been
        //    applied there (a PING behind it on each data link), so the snapshot that follows includes it.
        target.SetState(WorkerState.Syncing, reason);
        cluster.DrainSlotLocks();
        foreach (WorkerNode source in sources)
        {
            if (source.State != WorkerState.Up)
            {
                target.MarkDown($"its partner {source.EndPoint} left before the resync");
                return false;
            }
            for (int link = 0; link < cluster.Options.LinksPerWorker; link++)
            {
                if (await AskAsync(source.LinkFor(link), BinaryOpcode.Ping).ConfigureAwait(false) != BinaryStatus.Ok)
                {
                    target.MarkDown($"its partner {source.EndPoint} failed during the resync");
                    return false;
                }
            }
        }
        // 3. Stream each source's items for the slots they share.
        long items = await StreamFromAsync(cluster, target, sources, "its resync from", logger, cancellationToken).ConfigureAwait(false);
        if (items < 0 || target.State != WorkerState.Syncing)
        {
            return false;
        }
        // 4. Holding every acknowledged write of its slots: it may serve reads again.
        target.Emptied = false;
        target.SetState(WorkerState.Up,
            sources.Length == 0
                ? "held the last copy of its keys; rejoined with them"
                : $"resync complete: {items} items in {started.Elapsed.TotalMilliseconds:F0} ms");
        return true;
    }

    /// <summary>
    /// At the orchestrator's start, before any client is served: merges into <paramref name="target"/> (syncing)
    /// the items of every partner reachable now, as versioned writes that apply only if newer, then marks it up.
    /// Run for every reachable worker at once, this leaves each pair holding the union of both copies, the newer
    /// version of each key (tombstones included), whatever the previous orchestrator left half done. False (and
    /// the worker down: its copy may lack items) if a stream fails.
    /// </summary>
    public static async Task<bool> ReconcileAsync(Cluster cluster, WorkerNode target, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        // A partner unreachable at start is left out: it is refilled from this one when it returns.
        IEnumerable<WorkerNode> sources = cluster.Map.PartnersOf(target.Index)
            .Select(index => cluster.Workers[index])
            .Where(source => source.State != WorkerState.Down);
        long items;
        try
        {
            items = await StreamFromAsync(cluster, target, sources, "its reconciliation with", logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            target.MarkDown($"its reconciliation stopped: {e.Message}");
            return false;
        }
        if (items < 0 || target.State != WorkerState.Syncing)
        {
            return false;
        }
        target.SetState(WorkerState.Up, $"reconciled with its partners: {items} items merged in {started.Elapsed.TotalMilliseconds:F0} ms");
        return true;
    }

    /// <summary>
    /// Streams each source's items for the slots it shares with <paramref name="target"/> into it, one source after
    /// the other: the items streamed, or -1 (and the target down, "<paramref name="failure"/> source failed") when a
    /// stream fails.
    /// </summary>
    private static async Task<long> StreamFromAsync(Cluster cluster, WorkerNode target, IEnumerable<WorkerNode> sources,
        string failure, ILogger logger, CancellationToken cancellationToken)
    {
        long items = 0;
        foreach (WorkerNode source in sources)
        {
            var resync = new Resync(cluster, target, source);
            if (!await resync.StreamAsync(logger, cancellationToken).ConfigureAwait(false))
            {
                target.MarkDown($"{failure} {source.EndPoint} failed");
                return -1;
            }
            items += resync._items;
        }
        return items;
    }

    /// <summary>The worker's instance id from a HEALTH request on its control link; 0 if it does not answer.</summary>
    private static async Task<ulong> InstanceOfAsync(WorkerNode worker)
    {
        var reply = new HealthProbe();
        WorkerLink? link = worker.ControlLink;
        if (link == null || !link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Health }, default, default, reply, 1))
        {
            return 0;
        }
        for (int i = 0; i < 200 && reply.Answered == 0 && !link.IsFailed; i++)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }
        return reply.InstanceId;
    }

    /// <summary>Sends one request on a link and waits for its answer (null if the link failed or is gone).</summary>
    internal static async Task<BinaryStatus?> AskAsync(WorkerLink? connection, BinaryOpcode opcode, ulong version = 0)
    {
        var reply = new AwaitedReply();
        if (connection == null || !connection.Send(new BinaryFrameHeader { Opcode = opcode, Version = version }, default, default, reply, 0))
        {
            return null;
        }
        return await reply.Answer.ConfigureAwait(false);
    }

    private async Task<bool> StreamAsync(ILogger logger, CancellationToken cancellationToken)
    {
        // A connection of its own: the stream's many reply frames must not hold up the source's live traffic.
        using WorkerLink? stream = await _source.OpenLinkAsync(_cluster.Loops.Next(), _cluster.Epoch, cancellationToken).ConfigureAwait(false);
        if (stream == null)
        {
            return false;
        }
        _stream = stream;
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
                long acknowledged = Interlocked.Increment(ref _acknowledged);
                if (Interlocked.Read(ref _forwarded) - acknowledged == ResumeAt)
                {
                    _stream?.Resume();
                }
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
        // The clock stays above every version a worker holds: after an orchestrator restart the reconciliation
        // streams every item before the first write, so even a clock that stepped back issues no older version.
        _cluster.Clock.Observe(header.Version);
        int slot = SlotMap.SlotOf(frame.Key);
        if (!_cluster.Map.SourceServes(_target.Index, _source.Index, slot))
        {
            return;
        }
        bool tombstone = header.Has(BinaryFrameFlags.Tombstone);
        BinaryFrameHeader forward = ReplicaWriteOf(header);
        if (Interlocked.Increment(ref _forwarded) - Interlocked.Read(ref _acknowledged) >= Window)
        {
            _stream?.Pause();
        }
        WorkerLink? link = _target.LinkFor(slot);
        if (link == null || !link.Send(forward, frame.Key, tombstone ? default : frame.Value, this, ForwardToken))
        {
            _done.TrySetResult(false);
        }
    }

    public void OnLinkFailed(long token) => _done.TrySetResult(false);

    /// <summary>
    /// The versioned replica write that applies one item of a SNAPSHOT stream to another copy (its header; the key goes
    /// along, and the value unless it is a tombstone): REPLICA_SET as stored, or REPLICA_DEL for a tombstone.
    /// </summary>
    internal static BinaryFrameHeader ReplicaWriteOf(in BinaryFrameHeader item)
    {
        bool tombstone = item.Has(BinaryFrameFlags.Tombstone);
        return new BinaryFrameHeader
        {
            Opcode = tombstone ? BinaryOpcode.ReplicaDelete : BinaryOpcode.ReplicaSet,
            Version = item.Version,
            Flags = tombstone ? BinaryFrameFlags.None : item.Flags & (BinaryFrameFlags.Compressed | BinaryFrameFlags.AbsoluteExpiry),
            ItemFlags = tombstone ? 0 : item.ItemFlags,
            Expiry = tombstone ? 0 : item.Expiry,
        };
    }

    private void CheckDone()
    {
        if (Volatile.Read(ref _ended) == 1 && Interlocked.Read(ref _acknowledged) == Interlocked.Read(ref _forwarded))
        {
            _done.TrySetResult(true);
        }
    }
}
