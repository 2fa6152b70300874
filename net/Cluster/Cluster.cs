using System.Net;
using EchoCache.Net.Server;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Cluster;

/// <summary>
/// The orchestrator's view of its workers and the rules it routes by (docs/consistency.md): which workers hold a
/// slot, which may serve a read, the write version clock, and the per-slot locks that make "enqueue a write on
/// both replicas" atomic with respect to reads of that slot.
/// </summary>
public sealed class Cluster : IDisposable
{
    private const int SlotLockCount = 1024;

    private readonly Lock[] _slotLocks = new Lock[SlotLockCount];
    // Per slot, under its lock: decided writes whose outcome is still on its way to the second copy, and the copy
    // that decided the latest of them (reads and further decisions of the slot go there meanwhile).
    private readonly int[] _decidedPending = new int[SlotMap.SlotCount];
    private readonly byte[] _decider = new byte[SlotMap.SlotCount];
    private ulong _flushFloor;
    private ulong _lostTo;
    private byte[] _lostReason = [];
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _disposing;
    private Task? _health;
    private readonly CopyCheck _copyCheck;
    private uint _readTurn;
    private readonly bool _readsFromSyncing;

    /// <summary>
    /// Creates the view of <paramref name="workers"/> (at least 2), in command-line order, whose links are driven
    /// by <paramref name="loops"/> (the client connections' loops: a client's requests and its workers' replies
    /// are then handled on one thread, without a hop).
    /// </summary>
    public Cluster(IReadOnlyList<IPEndPoint> workers, ClusterOptions options, EventLoopGroup loops, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workers.Count, byte.MaxValue + 1);
        Options = options;
        _readsFromSyncing = options.ReadsFromSyncingCopies;
        Loops = loops;
        _logger = logger;
        Map = new SlotMap(workers.Count);
        Workers = new WorkerNode[workers.Count];
        var evictions = new EvictionDeletes(this);
        for (int i = 0; i < workers.Count; i++)
        {
            Workers[i] = new WorkerNode(i, workers[i], options, loops, Clock, OnStateChanged, evictions, Lose);
        }
        for (int i = 0; i < _slotLocks.Length; i++)
        {
            _slotLocks[i] = new Lock();
        }
        _copyCheck = new CopyCheck(this, logger);
    }

    /// <summary>Settings.</summary>
    public ClusterOptions Options { get; }

    /// <summary>The event loops that drive the worker links.</summary>
    public EventLoopGroup Loops { get; }

    /// <summary>Slots and pairs.</summary>
    public SlotMap Map { get; }

    /// <summary>The workers, in command-line order.</summary>
    public WorkerNode[] Workers { get; }

    /// <summary>Client ids and command counts of the orchestrator's own client connections.</summary>
    public Worker.WorkerStats Clients { get; } = new();

    /// <summary>What the background copy check has found and repaired (docs/consistency.md, "Copy check").</summary>
    public CopyCheckStats CopyChecks { get; } = new();

    /// <summary>Issues write versions.</summary>
    public VersionClock Clock { get; } = new();

    /// <summary>The lock under which a slot's requests are enqueued on workers.</summary>
    public Lock SlotLock(int slot) => _slotLocks[slot % SlotLockCount];

    /// <summary>
    /// This orchestrator's epoch (docs/consistency.md, "Epochs"): taken at start, above every epoch its reachable
    /// workers had joined and no lower than the wall clock's milliseconds; every link joins at it.
    /// </summary>
    public ulong Epoch { get; private set; }

    /// <summary>The epoch of the newer orchestrator that fenced this one out (0: none has).</summary>
    public ulong LostTo => Volatile.Read(ref _lostTo);

    /// <summary>
    /// Connects to every worker, takes a new epoch, reconciles the copies, and starts health checks and the copy check. This orchestrator
    /// cannot know what its predecessor left behind: a write in flight that reached one copy only, a worker restarted
    /// empty or back with stale data and not yet refilled. So every worker reachable now merges its partners' items
    /// into its own, the newer version winning (docs/consistency.md, "Orchestrator restart"), before any client is
    /// served; then it is up. Workers unreachable now start down, and are refilled when they return.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // 1. Open and challenge every reachable worker: each says the highest epoch it has joined.
        var opened = new List<WorkerNode>();
        ulong seen = 0;
        foreach (WorkerNode worker in Workers)
        {
            if (await worker.ConnectAsync(cancellationToken).ConfigureAwait(false) is ulong epoch)
            {
                opened.Add(worker);
                seen = Math.Max(seen, epoch);
            }
            else
            {
                OnStateChanged(worker, WorkerState.Down, worker.Refusal is { } refusal ? $"refused at start: {refusal}" : "unreachable at start");
                worker.LoggedRefusal = worker.Refusal;
            }
        }
        // 2. A new epoch above all of them, fencing out any orchestrator that served these workers before. Versions
        //    move past it too: an epoch's writes are newer than an earlier epoch's.
        Epoch = Math.Max((ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), seen + 1);
        Clock.Observe(Epoch << VersionClock.CounterBits);
        ClusterLog.TookEpoch(_logger, Epoch, opened.Count, Workers.Length);
        var reachable = new List<WorkerNode>();
        foreach (WorkerNode worker in opened)
        {
            if (await worker.JoinAsync(Epoch).ConfigureAwait(false))
            {
                worker.SetState(WorkerState.Syncing, "connected at start; reconciling with its partners");
                reachable.Add(worker);
            }
            else if (worker.FencedBy != 0)
            {
                Lose(worker.FencedBy);
            }
            else
            {
                OnStateChanged(worker, WorkerState.Down, $"refused at start: {worker.Refusal}");
                worker.LoggedRefusal = worker.Refusal;
            }
        }
        await Task.WhenAll(reachable.Select(worker => Resync.ReconcileAsync(this, worker, _logger, cancellationToken)))
            .ConfigureAwait(false);
        _health = Task.Run(() => HealthLoopAsync(_stopping.Token), CancellationToken.None);
        _copyCheck.Start();
    }

    /// <summary>
    /// Connects a down worker again and joins it at this orchestrator's epoch; false when it is unreachable or
    /// refuses (a refusal is logged once per reason; a worker that joined a newer orchestrator fences this one out).
    /// </summary>
    private async Task<bool> ReconnectAsync(WorkerNode worker, CancellationToken cancellationToken)
    {
        ulong? epoch = await worker.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (epoch is ulong seen && seen > Epoch)
        {
            Lose(seen);
            worker.CloseOpening();
            return false;
        }
        if (epoch != null && await worker.JoinAsync(Epoch).ConfigureAwait(false))
        {
            worker.LoggedRefusal = null;
            return true;
        }
        if (worker.FencedBy != 0)
        {
            Lose(worker.FencedBy);
        }
        else if (worker.Refusal != null && worker.Refusal != worker.LoggedRefusal)
        {
            ClusterLog.LinkRefused(_logger, worker.Index, worker.EndPoint, worker.Refusal);
            worker.LoggedRefusal = worker.Refusal;
        }
        return false;
    }

    /// <summary>
    /// A worker answered that a newer orchestrator (<paramref name="epoch"/>) has joined it: this one has lost the
    /// cluster. It says so in the log once, marks every worker down (failing what is in flight), never reconnects,
    /// and answers its clients FENCED / CLUSTERDOWN (<see cref="Unavailable"/>) from then on.
    /// </summary>
    internal void Lose(ulong epoch)
    {
        if (epoch <= Epoch || Interlocked.CompareExchange(ref _lostTo, epoch, 0) != 0)
        {
            return;
        }
        _lostReason = System.Text.Encoding.UTF8.GetBytes(
            $"this orchestrator (epoch {Epoch}) was replaced by a newer one (epoch {epoch}); send requests to that one");
        ClusterLog.LostCluster(_logger, Epoch, epoch);
        foreach (WorkerNode worker in Workers)
        {
            worker.MarkDown($"fenced out by a newer orchestrator (epoch {epoch})");
        }
    }

    /// <summary>
    /// The reply when no copy can serve: Unavailable with <paramref name="reason"/>, or, once this orchestrator has
    /// lost its workers to a newer one, Fenced saying so.
    /// </summary>
    internal ClusterReply Unavailable(ReadOnlySpan<byte> reason) => LostTo != 0
        ? new ClusterReply(Protocol.BinaryStatus.Fenced, _lostReason)
        : new ClusterReply(Protocol.BinaryStatus.Unavailable, reason);

    /// <summary>Why a fenced-out orchestrator refuses requests, as RESP error text (null while it has not been).</summary>
    internal ReadOnlySpan<byte> LostReason => _lostReason;

    /// <summary>
    /// The worker a read of <paramref name="slot"/> goes to, under the slot's lock: while a decided write of the slot
    /// is on its way to the second copy, the copy that decided it (the other may not hold it yet); otherwise an up
    /// replica, alternating between the two to spread load. Never <paramref name="avoid"/> (a replica that just
    /// failed). Null when none is up.
    /// </summary>
    public WorkerNode? PickReader(int slot, int avoid = -1)
    {
        if (_decidedPending[slot] != 0 && Workers[_decider[slot]] is { State: WorkerState.Up } decider && decider.Index != avoid)
        {
            return decider;
        }
        WorkerNode primary = Workers[Map.PrimaryOf(slot)];
        WorkerNode partner = Workers[Map.PartnerOf(slot)];
        bool primaryOk = Readable(primary) && primary.Index != avoid;
        bool partnerOk = Readable(partner) && partner.Index != avoid;
        if (primaryOk && partnerOk)
        {
            return (Interlocked.Increment(ref _readTurn) & 1) == 0 ? primary : partner;
        }
        return primaryOk ? primary : partnerOk ? partner : null;
    }

    /// <summary>An up copy; or, under the test-only <see cref="ClusterOptions.ReadsFromSyncingCopies"/>, a syncing one too.</summary>
    private bool Readable(WorkerNode worker) =>
        worker.State == WorkerState.Up || (_readsFromSyncing && worker.State == WorkerState.Syncing);

    /// <summary>
    /// The copy that decides (or, for a read, answers) a command over <paramref name="slots"/> (all of one pair),
    /// under their locks: the copy already deciding writes of any of them while their outcomes travel, else the
    /// pair's primary when up, else its partner; never <paramref name="avoid"/>. Null when no copy is up;
    /// <paramref name="conflict"/> when two of the slots have writes in flight decided on different copies (a copy
    /// returning to service while its partner still decides: for the few milliseconds until those outcomes land).
    /// </summary>
    internal WorkerNode? PickDecider(ReadOnlySpan<int> slots, int avoid, out bool conflict) =>
        Pick(slots, avoid, decide: true, out conflict);

    /// <summary>
    /// The copy a read over <paramref name="slots"/> (all of one pair) goes to, under their locks: the copy deciding
    /// writes of any of them while their outcomes travel (the other may not hold them yet), else an up copy,
    /// alternating; <paramref name="conflict"/> as for <see cref="PickDecider"/>.
    /// </summary>
    internal WorkerNode? PickReader(ReadOnlySpan<int> slots, int avoid, out bool conflict) =>
        Pick(slots, avoid, decide: false, out conflict);

    private WorkerNode? Pick(ReadOnlySpan<int> slots, int avoid, bool decide, out bool conflict)
    {
        conflict = false;
        WorkerNode? deciding = null;
        foreach (int slot in slots)
        {
            if (_decidedPending[slot] != 0 && Workers[_decider[slot]] is { State: WorkerState.Up } current && current.Index != avoid)
            {
                if (deciding != null && deciding != current)
                {
                    conflict = true;
                    return null;
                }
                deciding = current;
            }
        }
        if (deciding != null)
        {
            return deciding;
        }
        if (!decide)
        {
            return PickReader(slots[0], avoid);
        }
        WorkerNode primary = Workers[Map.PrimaryOf(slots[0])];
        WorkerNode partner = Workers[Map.PartnerOf(slots[0])];
        return primary.State == WorkerState.Up && primary.Index != avoid ? primary
            : partner.State == WorkerState.Up && partner.Index != avoid ? partner
            : null;
    }

    /// <summary>A decided write of <paramref name="slots"/> was sent to <paramref name="decider"/>; under their locks.</summary>
    internal void BeginDecided(ReadOnlySpan<int> slots, WorkerNode decider)
    {
        foreach (int slot in slots)
        {
            _decidedPending[slot]++;
            _decider[slot] = (byte)decider.Index;
        }
    }

    /// <summary>A decided write of <paramref name="slots"/> is done (its outcome replicated, or given up); under their locks.</summary>
    internal void EndDecided(ReadOnlySpan<int> slots)
    {
        foreach (int slot in slots)
        {
            _decidedPending[slot]--;
        }
    }

    /// <summary>
    /// Enters the locks of <paramref name="slots"/> (sorted, distinct) in lock order, skipping a lock already
    /// entered (slots sharing one); <see cref="ExitSlotLocks"/> leaves them.
    /// </summary>
    internal void EnterSlotLocks(ReadOnlySpan<int> slots)
    {
        int previous = -1;
        foreach (int lockIndex in slots)
        {
            int index = lockIndex % SlotLockCount;
            if (index != previous)
            {
                _slotLocks[index].Enter();
            }
            previous = index;
        }
    }

    /// <summary>Leaves the locks <see cref="EnterSlotLocks"/> entered.</summary>
    internal void ExitSlotLocks(ReadOnlySpan<int> slots)
    {
        int previous = -1;
        foreach (int lockIndex in slots)
        {
            int index = lockIndex % SlotLockCount;
            if (index != previous)
            {
                _slotLocks[index].Exit();
            }
            previous = index;
        }
    }

    /// <summary>The highest version a cluster-wide flush removed everything at or below (0: none yet).</summary>
    public ulong FlushFloor => Volatile.Read(ref _flushFloor);

    /// <summary>
    /// Runs <paramref name="enqueue"/> with every slot lock held, so nothing is being enqueued on any link meanwhile,
    /// and passes it a version above every write enqueued before and below every one after (a flush barrier).
    /// </summary>
    internal void UnderEverySlotLock(Action<ulong> enqueue)
    {
        foreach (Lock slotLock in _slotLocks)
        {
            slotLock.Enter();
        }
        try
        {
            ulong version = Clock.Next();
            Volatile.Write(ref _flushFloor, version);
            enqueue(version);
        }
        finally
        {
            foreach (Lock slotLock in _slotLocks)
            {
                slotLock.Exit();
            }
        }
    }

    private async Task HealthLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.HealthInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (WorkerNode worker in Workers)
                {
                    if (worker.State != WorkerState.Down)
                    {
                        worker.CheckHealth();
                    }
                    else if (LostTo == 0 && await ReconnectAsync(worker, cancellationToken).ConfigureAwait(false))
                    {
                        // Back, but possibly empty or stale: refilled from its partners before it serves a read.
                        worker.SetState(WorkerState.Returning, "reachable again; resyncing");
                        _ = ResyncAsync(worker, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ResyncAsync(WorkerNode worker, CancellationToken cancellationToken)
    {
        try
        {
            await Resync.RunAsync(this, worker, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
        {
            worker.MarkDown($"resync stopped: {e.Message}");
        }
    }

    /// <summary>Whether another holder of the worker's slots is up (with two workers: its partner).</summary>
    private bool HasUpPartner(WorkerNode worker)
    {
        foreach (int partner in Map.PartnersOf(worker.Index))
        {
            if (Workers[partner].State == WorkerState.Up)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// How a returning worker whose health answer is known (<see cref="WorkerNode.ReturnKnown"/>) may rejoin now,
    /// decided per pair (docs/consistency.md, Resync, step 0): <see cref="RejoinPlan.Refill"/> when every partner is up
    /// (or nothing of a pair survives anywhere); <see cref="RejoinPlan.Keep"/> when, of some pair, its own copy is the
    /// newest left; <see cref="RejoinPlan.Wait"/> while a partner that is not up may hold a newer copy than its own.
    /// </summary>
    internal RejoinPlan PlanRejoin(WorkerNode worker, out string reason)
    {
        if (worker.InstanceBeforeDown == 0)
        {
            // Never seen up by this orchestrator (unreachable at its start): refilled if a partner is up, else it
            // keeps what it holds.
            bool refill = HasUpPartner(worker);
            reason = refill ? "flushed; refilling from its partners" : "no partner is up and this orchestrator never saw it before; keeping what it holds";
            return refill ? RejoinPlan.Refill : RejoinPlan.Keep;
        }
        reason = worker.CopyLost && worker.WasLastCopy
            ? "restarted after holding the last copy of some of its keys (those are lost); refilling the rest from its partners"
            : "flushed; refilling from its partners";
        bool keep = false;
        foreach (int index in Map.PartnersOf(worker.Index))
        {
            WorkerNode partner = Workers[index];
            if (partner.State == WorkerState.Up)
            {
                continue;
            }
            bool partnerLost = partner.ReturnKnown && partner.CopyLost;
            if (worker.PartnersNotUpAtDown.Contains(index))
            {
                // The partner left first: this worker held the pair's last copy.
                if (!worker.CopyLost)
                {
                    keep = true;
                    reason = "held the last copy of some of its keys; catching up from its partners";
                    continue;
                }
                if (partnerLost)
                {
                    continue; // both copies are gone: nothing of the pair survives to wait for
                }
                reason = $"lost the last copy of its pair with {partner.EndPoint}, which holds the older one: waiting for it";
                return RejoinPlan.Wait;
            }
            // The partner left after it, and may hold writes this copy lacks.
            if (partnerLost)
            {
                keep = true;
                reason = "a partner restarted after holding the last copy of their pair: this copy is the newest that survives; keeping it and catching up from its partners";
                continue;
            }
            reason = $"its partner {partner.EndPoint} left after it and may hold newer writes: waiting for it";
            return RejoinPlan.Wait;
        }
        return keep ? RejoinPlan.Keep : RejoinPlan.Refill;
    }

    /// <summary>The partners of the worker that are not up (it then holds the last copy of their pairs).</summary>
    private int[] PartnersNotUp(WorkerNode worker) =>
        [.. Map.PartnersOf(worker.Index).Where(partner => Workers[partner].State != WorkerState.Up)];

    /// <summary>
    /// Waits until no request is being enqueued under any slot lock (each lock taken and released once): after
    /// this, every request that saw the cluster's earlier state has been queued on its links.
    /// </summary>
    internal void DrainSlotLocks()
    {
        foreach (Lock slotLock in _slotLocks)
        {
            slotLock.Enter();
            slotLock.Exit();
        }
    }

    private void OnStateChanged(WorkerNode worker, WorkerState state, string reason)
    {
        if (_disposing)
        {
            return; // the orchestrator is closing its own links: no worker went down
        }
        if (state == WorkerState.Down)
        {
            // Per pair: with three workers or more, one partner up does not mean the other pair has a copy. A
            // worker that falls back while returning touched nothing, and keeps what it was found holding before;
            // one flushed for a refill that did not finish holds no whole copy of anything.
            if (worker.Emptied)
            {
                worker.PartnersNotUpAtDown = [];
            }
            else if (worker.DownFrom != WorkerState.Returning)
            {
                worker.PartnersNotUpAtDown = PartnersNotUp(worker);
            }
            ClusterLog.WentDown(_logger, worker.Index, worker.EndPoint, reason);
        }
        else
        {
            ClusterLog.StateChanged(_logger, worker.Index, worker.EndPoint, state, reason);
        }
    }

    /// <summary>Stops health checks and closes every link.</summary>
    public void Dispose()
    {
        _disposing = true;
        _copyCheck.Dispose();
        _stopping.Cancel();
        try
        {
            _health?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation.
        }
        foreach (WorkerNode worker in Workers)
        {
            worker.Dispose();
        }
        _stopping.Dispose();
    }
}
