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
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _disposing;
    private Task? _health;
    private uint _readTurn;

    /// <summary>
    /// Creates the view of <paramref name="workers"/> (at least 2), in command-line order, whose links are driven
    /// by <paramref name="loops"/> (the client connections' loops: a client's requests and its workers' replies
    /// are then handled on one thread, without a hop).
    /// </summary>
    public Cluster(IReadOnlyList<IPEndPoint> workers, ClusterOptions options, EventLoopGroup loops, ILogger logger)
    {
        Options = options;
        Loops = loops;
        _logger = logger;
        Map = new SlotMap(workers.Count);
        Workers = new WorkerNode[workers.Count];
        for (int i = 0; i < workers.Count; i++)
        {
            Workers[i] = new WorkerNode(i, workers[i], options, loops, OnStateChanged);
        }
        for (int i = 0; i < _slotLocks.Length; i++)
        {
            _slotLocks[i] = new Lock();
        }
    }

    /// <summary>Settings.</summary>
    public ClusterOptions Options { get; }

    /// <summary>The event loops that drive the worker links.</summary>
    public EventLoopGroup Loops { get; }

    /// <summary>Slots and pairs.</summary>
    public SlotMap Map { get; }

    /// <summary>The workers, in command-line order.</summary>
    public WorkerNode[] Workers { get; }

    /// <summary>Issues write versions.</summary>
    public VersionClock Clock { get; } = new();

    /// <summary>The lock under which a slot's requests are enqueued on workers.</summary>
    public Lock SlotLock(int slot) => _slotLocks[slot % SlotLockCount];

    /// <summary>
    /// Connects to every worker, reconciles the copies, and starts health checks. This orchestrator cannot know
    /// what its predecessor left behind: a write in flight that reached one copy only, a worker restarted empty or
    /// back with stale data and not yet refilled. So every worker reachable now merges its partners' items into
    /// its own, the newer version winning (docs/consistency.md, "Orchestrator restart"), before any client is
    /// served; then it is up. Workers unreachable now start down, and are refilled when they return.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var reachable = new List<WorkerNode>();
        foreach (WorkerNode worker in Workers)
        {
            if (await worker.ConnectAsync(cancellationToken).ConfigureAwait(false))
            {
                worker.SetState(WorkerState.Syncing, "connected at start; reconciling with its partners");
                reachable.Add(worker);
            }
            else
            {
                OnStateChanged(worker, WorkerState.Down, "unreachable at start");
            }
        }
        await Task.WhenAll(reachable.Select(worker => Resync.ReconcileAsync(this, worker, _logger, cancellationToken)))
            .ConfigureAwait(false);
        _health = Task.Run(() => HealthLoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// The worker a read of <paramref name="slot"/> goes to: an up replica, alternating between the two to spread
    /// load, and never <paramref name="avoid"/> (a replica that just failed). Null when none is up.
    /// </summary>
    public WorkerNode? PickReader(int slot, int avoid = -1)
    {
        WorkerNode primary = Workers[Map.PrimaryOf(slot)];
        WorkerNode partner = Workers[Map.PartnerOf(slot)];
        bool primaryOk = primary.State == WorkerState.Up && primary.Index != avoid;
        bool partnerOk = partner.State == WorkerState.Up && partner.Index != avoid;
        if (primaryOk && partnerOk)
        {
            return (Interlocked.Increment(ref _readTurn) & 1) == 0 ? primary : partner;
        }
        return primaryOk ? primary : partnerOk ? partner : null;
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
                    else if (await worker.ConnectAsync(cancellationToken).ConfigureAwait(false))
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
    internal bool HasUpPartner(WorkerNode worker)
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

    /// <summary>Whether some pair of the worker has its other member not up (the worker then holds that pair's last copy).</summary>
    private bool HasPartnerNotUp(WorkerNode worker)
    {
        foreach (int partner in Map.PartnersOf(worker.Index))
        {
            if (Workers[partner].State != WorkerState.Up)
            {
                return true;
            }
        }
        return false;
    }

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
            // Per pair: with three workers or more, one partner up does not mean the other pair has a copy.
            worker.WasLastCopy = HasPartnerNotUp(worker);
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
