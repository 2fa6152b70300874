using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Cluster;

/// <summary>
/// One worker as the orchestrator sees it: its address, its state, and its pipelined links (a key's requests
/// always take link <c>slot mod links</c>, so they stay in order). Any failed link marks the whole worker down:
/// a killed worker resets its connections, which is how a kill -9 is noticed within milliseconds. Its eviction
/// notices, on any of its links, go to the cluster's <see cref="EvictionDeletes"/>.
/// </summary>
public sealed class WorkerNode : IDisposable, IEvictionNoticeTarget
{
    private readonly ClusterOptions _options;
    private readonly EventLoopGroup _loops;
    private readonly VersionClock _clock;
    private readonly Action<WorkerNode, WorkerState, string> _stateChanged;
    private readonly HealthProbe _probe = new();
    private readonly EvictionDeletes _evictions;
    // The worker's eviction notices up to this number have been handled (on some link): later arrivals of them are
    // skipped, and health checks acknowledge them. Reset when the links are opened again.
    private long _noticesHandled;
    private readonly Action<ulong> _fenced;
    private WorkerLink[] _links = [];
    private WorkerLink? _control;
    // Links opened and challenged by ConnectAsync, waiting for JoinAsync (the health loop's or the start's thread).
    private LinkHandshake[]? _opening;
    private int _state;
    private bool _emptied;
    private bool _returnKnown;
    private bool _copyLost;
    private long _probesSent;
    private long _probeSentAt;

    internal WorkerNode(int index, IPEndPoint endPoint, ClusterOptions options, EventLoopGroup loops, VersionClock clock,
        Action<WorkerNode, WorkerState, string> stateChanged, EvictionDeletes evictions, Action<ulong> fenced)
    {
        _fenced = fenced;
        _evictions = evictions;
        _clock = clock;
        Index = index;
        EndPoint = endPoint;
        _options = options;
        _loops = loops;
        _stateChanged = stateChanged;
    }

    /// <summary>Position in the orchestrator's command line.</summary>
    public int Index { get; }

    /// <summary>Where the worker listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>What the worker may do now.</summary>
    public WorkerState State => (WorkerState)Volatile.Read(ref _state);

    /// <summary>The worker's instance id from its last health answer (changes when it restarts).</summary>
    public ulong InstanceId => _probe.InstanceId;

    /// <summary>
    /// The instance id it had when it last went down from up or syncing (0 if never seen): a worker that falls back
    /// while returning touched nothing of its data, so its earlier instance still says what it holds.
    /// </summary>
    public ulong InstanceBeforeDown { get; private set; }

    /// <summary>The state it last went down from.</summary>
    public WorkerState DownFrom { get; private set; }

    /// <summary>
    /// Whether, when it last went down, the other member of one of its pairs was not up: it then held the last
    /// copy of that pair's writes acknowledged until then (<see cref="PartnersNotUpAtDown"/>).
    /// </summary>
    public bool WasLastCopy => PartnersNotUpAtDown.Count > 0;

    /// <summary>
    /// The partners that were not up when it last went down: of each pair with one of them it held the last copy.
    /// Empty when its copy was not whole then (flushed for a refill that had not finished).
    /// </summary>
    public IReadOnlyList<int> PartnersNotUpAtDown { get; internal set; } = [];

    /// <summary>
    /// Set when it is flushed for a refill, cleared when it is up again: until then what it holds is at most part
    /// of a copy, and it never counts as holding a pair's last copy.
    /// </summary>
    internal bool Emptied
    {
        get => Volatile.Read(ref _emptied);
        set => Volatile.Write(ref _emptied, value);
    }

    /// <summary>
    /// Set once a returning worker's health answer has said whether it still holds what it held when it went down
    /// (<see cref="CopyLost"/>); cleared when it goes down. Its partners' rejoin waits on it (docs/consistency.md,
    /// Resync, step 0).
    /// </summary>
    internal bool ReturnKnown
    {
        get => Volatile.Read(ref _returnKnown);
        set => Volatile.Write(ref _returnKnown, value);
    }

    /// <summary>
    /// Whether what it held when it last went down is gone (it restarted, or had been flushed for a refill);
    /// meaningful once <see cref="ReturnKnown"/>.
    /// </summary>
    internal bool CopyLost
    {
        get => Volatile.Read(ref _copyLost);
        set => Volatile.Write(ref _copyLost, value);
    }

    /// <summary>
    /// The link for health checks and control requests: separate from the data links, so a health check never
    /// waits behind a backlog of writes (a resync pushes millions).
    /// </summary>
    public WorkerLink? ControlLink => Volatile.Read(ref _control) is { IsFailed: false } control ? control : null;

    /// <summary>The link a slot's requests take, or null when the worker is down.</summary>
    public WorkerLink? LinkFor(int slot)
    {
        WorkerLink[] links = Volatile.Read(ref _links);
        if (links.Length == 0)
        {
            return null;
        }
        WorkerLink link = links[slot % links.Length];
        return link.IsFailed ? null : link;
    }

    /// <summary>
    /// Opens every link and challenges the worker on each (<see cref="LinkHandshake"/>): the highest epoch it has
    /// joined, for <see cref="JoinAsync"/> to follow; null (and nothing open) when it cannot be reached or refuses,
    /// <see cref="Refusal"/> then saying why (null when it was simply unreachable).
    /// </summary>
    internal async Task<ulong?> ConnectAsync(CancellationToken cancellationToken)
    {
        CloseOpening();
        Refusal = null;
        var links = new WorkerLink[_options.LinksPerWorker + 1];
        // A worker that restarted numbers its notices from 1 again; one that did not sends again what was not
        // acknowledged, and deleting twice changes nothing.
        Interlocked.Exchange(ref _noticesHandled, 0);
        try
        {
            for (int i = 0; i < links.Length; i++)
            {
                // Links spread over the loops, the worker's index staggering them across workers.
                links[i] = await WorkerLink.ConnectAsync(EndPoint, _loops[Index + i], OnLinkFailed, this, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            foreach (WorkerLink? link in links) link?.Dispose();
            return null;
        }
        var handshakes = new LinkHandshake[links.Length];
        ulong epoch = 0;
        for (int i = 0; i < links.Length; i++)
        {
            handshakes[i] = await LinkHandshake.ChallengeAsync(links[i], _options.Secret).ConfigureAwait(false);
            if (handshakes[i].Failure is { } failure)
            {
                Refusal = failure;
                foreach (WorkerLink link in links) link.Dispose();
                return null;
            }
            epoch = Math.Max(epoch, handshakes[i].WorkerEpoch);
        }
        _opening = handshakes;
        return epoch;
    }

    /// <summary>
    /// Joins the links <see cref="ConnectAsync"/> opened at <paramref name="epoch"/> and puts them in service; false
    /// (and nothing open) when the worker refused, <see cref="Refusal"/> saying why and <see cref="FencedBy"/> set when
    /// a newer orchestrator holds it.
    /// </summary>
    internal async Task<bool> JoinAsync(ulong epoch)
    {
        LinkHandshake[] handshakes = _opening ?? throw new InvalidOperationException("ConnectAsync first");
        _opening = null;
        FencedBy = 0;
        foreach (LinkHandshake handshake in handshakes)
        {
            if (!await handshake.JoinAsync(_options.Secret, epoch).ConfigureAwait(false))
            {
                Refusal = handshake.Failure;
                FencedBy = handshake.FencedBy;
                foreach (LinkHandshake opened in handshakes) opened.Link.Dispose();
                return false;
            }
            handshake.Link.OnFenced = _fenced;
        }
        Interlocked.Exchange(ref _probesSent, 0);
        _probe.Reset();
        Volatile.Write(ref _control, handshakes[^1].Link);
        Volatile.Write(ref _links, handshakes[..^1].Select(handshake => handshake.Link).ToArray());
        return true;
    }

    /// <summary>
    /// One more link to the worker, joined at <paramref name="epoch"/>, for a long request of its own (a resync's
    /// snapshot stream), driven by <paramref name="loop"/>; null when the worker refused it.
    /// </summary>
    internal async Task<WorkerLink?> OpenLinkAsync(EventLoop loop, ulong epoch, CancellationToken cancellationToken)
    {
        WorkerLink link = await WorkerLink.ConnectAsync(EndPoint, loop, null, this, cancellationToken).ConfigureAwait(false);
        LinkHandshake handshake = await LinkHandshake.ChallengeAsync(link, _options.Secret).ConfigureAwait(false);
        if (handshake.Failure != null || !await handshake.JoinAsync(_options.Secret, epoch).ConfigureAwait(false))
        {
            Refusal = handshake.Failure;
            if (handshake.FencedBy != 0)
            {
                _fenced(handshake.FencedBy);
            }
            link.Dispose();
            return null;
        }
        link.OnFenced = _fenced;
        return link;
    }

    /// <summary>Why the worker last refused this orchestrator's links (null: it did not, or was unreachable).</summary>
    public string? Refusal { get; private set; }

    /// <summary>The refusal last written to the log, so that a worker refusing every 100 ms is logged once.</summary>
    internal string? LoggedRefusal { get; set; }

    /// <summary>After a refused join: the newer epoch the worker has joined (0 if that was not why).</summary>
    public ulong FencedBy { get; private set; }

    /// <summary>Closes the links <see cref="ConnectAsync"/> opened and nobody joined.</summary>
    internal void CloseOpening()
    {
        if (_opening is { } opening)
        {
            _opening = null;
            foreach (LinkHandshake handshake in opening) handshake.Link.Dispose();
        }
    }

    /// <summary>Moves the worker to <paramref name="state"/> and says why in the log.</summary>
    internal void SetState(WorkerState state, string reason)
    {
        if ((WorkerState)Interlocked.Exchange(ref _state, (int)state) != state)
        {
            _stateChanged(this, state, reason);
        }
    }

    /// <summary>
    /// Marks the worker down and closes its links (their requests in flight fail). Safe from any thread, any
    /// number of times; it returns only once the state is Down, so a caller can rely on it before acknowledging.
    /// </summary>
    public void MarkDown(string reason)
    {
        var previous = (WorkerState)Interlocked.Exchange(ref _state, (int)WorkerState.Down);
        if (previous == WorkerState.Down)
        {
            return;
        }
        DownFrom = previous;
        ReturnKnown = false;
        if (previous != WorkerState.Returning)
        {
            InstanceBeforeDown = InstanceId;
        }
        _stateChanged(this, WorkerState.Down, reason);
        CloseLinks();
    }

    private void CloseLinks()
    {
        foreach (WorkerLink link in Interlocked.Exchange(ref _links, []))
        {
            link.Dispose();
        }
        Interlocked.Exchange(ref _control, null)?.Dispose();
    }

    private void OnLinkFailed(WorkerLink link) => MarkDown($"connection to {EndPoint} lost");

    /// <summary>The worker's eviction notices up to this number have been handled.</summary>
    internal ulong NoticesHandled => (ulong)Interlocked.Read(ref _noticesHandled);

    /// <summary>Records that notice <paramref name="sequence"/>, and so every earlier one, has been handled.</summary>
    internal void NoticeHandled(ulong sequence)
    {
        long handled = Interlocked.Read(ref _noticesHandled);
        while ((ulong)handled < sequence)
        {
            long seen = Interlocked.CompareExchange(ref _noticesHandled, (long)sequence, handled);
            if (seen == handled)
            {
                return;
            }
            handled = seen;
        }
    }

    void IEvictionNoticeTarget.OnEvicted(ReadOnlySpan<byte> key, ulong version, ulong sequence) =>
        _evictions.OnEvicted(this, key, version, sequence);

    void IEvictionNoticeTarget.OnNoticesLost() =>
        MarkDown("it lost eviction notices: its copy may lack keys its partner holds");

    /// <summary>
    /// One health step (every <see cref="ClusterOptions.HealthInterval"/>): a probe unanswered for longer than
    /// <see cref="ClusterOptions.HealthTimeout"/> marks the worker down; otherwise the next probe goes out.
    /// </summary>
    internal void CheckHealth()
    {
        if (State == WorkerState.Down)
        {
            return;
        }
        long sent = Interlocked.Read(ref _probesSent);
        if (_probe.Answered < sent)
        {
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _probeSentAt)) > _options.HealthTimeout)
            {
                MarkDown($"no health answer within {_options.HealthTimeout.TotalMilliseconds:F0} ms");
            }
            return;
        }
        WorkerLink? link = ControlLink;
        if (link == null)
        {
            MarkDown("no open connection");
            return;
        }
        Interlocked.Exchange(ref _probeSentAt, Stopwatch.GetTimestamp());
        // The probe carries the orchestrator's clock: the worker's background expiry follows it (SenderClock).
        // Its version acknowledges the eviction notices handled so far: connections that have not carried them yet
        // need not (docs/protocol.md, "HEALTH").
        var probe = new BinaryFrameHeader
        {
            Opcode = BinaryOpcode.Health,
            Flags = BinaryFrameFlags.SenderClock,
            Expiry = _clock.Instant(),
            Version = NoticesHandled,
        };
        link.Send(probe, default, default, _probe, Interlocked.Increment(ref _probesSent));
    }

    /// <summary>Closes every link.</summary>
    public void Dispose()
    {
        CloseOpening();
        CloseLinks();
    }
}
