using System.Buffers;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Cluster;

/// <summary>
/// One pipelined connection from the orchestrator to a worker, driven by an <see cref="EventLoop"/>. A worker
/// executes and answers the requests of a connection in order, so requests in flight are a FIFO ring and replies
/// are matched to its head (the request id is checked, not looked up): no dictionary and no task per request.
/// Senders on any thread append their frame to a buffer under a short lock and schedule the link once; the
/// loop sends everything queued after the events of its batch, so all the requests a batch of client reads
/// (or of worker replies) sets off leave in one send. When the connection fails, every request in flight is
/// failed at once (<see cref="IWorkerReplyTarget.OnLinkFailed"/>), later sends are refused, and the socket is reset
/// (what it still held never reaches the worker): the owner reconnects with a new link. EVICTED frames, which no request asked for, go to the link's
/// <see cref="IEvictionNoticeTarget"/> as they come, between the replies they precede.
/// </summary>
public sealed class WorkerLink : LoopSocket, IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
    private const int BufferSize = 64 * 1024;
    // A send buffer that grew for a batch is kept for the next up to this size: at pipeline 16 a link's batches
    // run to a few hundred KiB, and growing afresh for each allocated ~95 bytes per request. A link is one of
    // a handful, so keeping them costs little; a larger buffer (a resync's batch) is dropped once sent.
    private const int KeptSize = 1 << 20;
    private readonly Lock _lock = new();
    // Guarded by _lock: requests in flight, bytes queued to send, and the failed flag.
    private PendingReply[] _pending = new PendingReply[256];
    private int _pendingHead;
    private int _pendingCount;
    private byte[] _queued = new byte[BufferSize];
    private int _queuedLength;
    private ulong _nextRequestId;
    private bool _failed;
    // The loop thread's: the bytes being sent, and received bytes not yet dispatched.
    private byte[] _sending = new byte[BufferSize];
    private int _sendOffset;
    private int _sendLength;
    private byte[] _received = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _receivedStart;
    private int _receivedEnd;
    private volatile bool _paused;
    private readonly Action<WorkerLink>? _onFailed;
    private readonly IEvictionNoticeTarget? _notices;

    private WorkerLink(Socket socket, EventLoop loop, Action<WorkerLink>? onFailed, IEvictionNoticeTarget? notices)
        : base(socket, loop)
    {
        _onFailed = onFailed;
        _notices = notices;
        Schedule(); // registers the socket on the loop's thread
    }

    /// <summary>
    /// Connects to a worker, driven by <paramref name="loop"/>; <paramref name="onFailed"/> runs once when the link
    /// fails, and the worker's eviction notices go to <paramref name="notices"/> (ignored when null).
    /// </summary>
    public static async Task<WorkerLink> ConnectAsync(IPEndPoint worker, EventLoop loop, Action<WorkerLink>? onFailed,
        IEvictionNoticeTarget? notices, CancellationToken cancellationToken)
    {
        Socket socket = await EventLoop.ConnectAsync(worker, ConnectTimeout, cancellationToken).ConfigureAwait(false);
        return new WorkerLink(socket, loop, onFailed, notices);
    }

    /// <summary>
    /// Set once the link has joined its worker (<see cref="LinkHandshake"/>): called with the worker's epoch when the
    /// worker answers FENCED (a newer orchestrator has joined it), after which the link fails like a broken one.
    /// </summary>
    internal Action<ulong>? OnFenced { get; set; }

    /// <summary>Whether the link has failed (every later send is refused).</summary>
    public bool IsFailed => Volatile.Read(ref _failed);

    /// <summary>Requests sent and not yet fully answered.</summary>
    public int InFlight
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _pendingCount;
            }
        }
    }

    /// <summary>
    /// Queues one request; its replies go to <paramref name="target"/> with <paramref name="token"/>. Returns false,
    /// and calls nothing, when the link has failed. The request id in <paramref name="header"/> is replaced.
    /// Requests queued by one thread go out, and are answered, in the order queued.
    /// </summary>
    public bool Send(in BinaryFrameHeader header, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value,
        IWorkerReplyTarget target, long token)
    {
        int size = BinaryProtocol.HeaderSize + key.Length + value.Length;
        using (_lock.EnterScope())
        {
            if (_failed)
            {
                return false;
            }
            ulong id = ++_nextRequestId;
            if (_queued.Length - _queuedLength < size)
            {
                Array.Resize(ref _queued, Math.Max(_queued.Length * 2, _queuedLength + size));
            }
            BinaryCodec.TryWriteRequest(header with { RequestId = id }, key, value, _queued.AsSpan(_queuedLength), out int written);
            _queuedLength += written;
            if (_pendingCount == _pending.Length)
            {
                GrowPending();
            }
            _pending[(_pendingHead + _pendingCount++) % _pending.Length] = new PendingReply(id, target, token);
        }
        Schedule();
        return true;
    }

    private void GrowPending()
    {
        var grown = new PendingReply[_pending.Length * 2];
        for (int i = 0; i < _pendingCount; i++)
        {
            grown[i] = _pending[(_pendingHead + i) % _pending.Length];
        }
        _pending = grown;
        _pendingHead = 0;
    }

    // Ahead of a backlog of client events: replies and health answers must not wait behind them (EventLoop).
    private protected override bool Urgent => true;

    private protected override void OnReady(bool writableEdge)
    {
        if (Volatile.Read(ref _failed))
        {
            Close(); // failed before it was registered: its first edge closes it
            return;
        }
        if (writableEdge)
        {
            SendQueued();
        }
        Receive();
    }

    private protected override void OnWork()
    {
        if (Volatile.Read(ref _failed))
        {
            Close();
            return;
        }
        SendQueued();
        Receive(); // reading may have been resumed
    }

    private protected override void OnFault(Exception exception)
    {
        Fail();
        Close();
    }

    /// <summary>Sends what is queued until nothing is left or the socket is full (its next edge goes on).</summary>
    private void SendQueued()
    {
        while (Writable && !IsClosed)
        {
            if (_sendOffset == _sendLength)
            {
                if (_sending.Length > KeptSize)
                {
                    _sending = new byte[BufferSize];
                }
                using (_lock.EnterScope())
                {
                    if (_queuedLength == 0)
                    {
                        return;
                    }
                    (_sending, _queued) = (_queued, _sending);
                    _sendLength = _queuedLength;
                    _sendOffset = 0;
                    _queuedLength = 0;
                }
            }
            int sent = SendSome(_sending.AsSpan(_sendOffset, _sendLength - _sendOffset));
            if (sent < 0)
            {
                Fail();
                Close();
                return;
            }
            _sendOffset += sent;
        }
    }

    /// <summary>
    /// Reads and dispatches replies until the socket is drained, the link is paused, or it failed; after
    /// ReadsPerTurn reads it yields to the loop's other sockets (a snapshot stream never ends).
    /// </summary>
    private void Receive()
    {
        for (int reads = 0; Readable && !_paused && !IsClosed; reads++)
        {
            if (reads == ReadsPerTurn)
            {
                Loop.Yield(this);
                return;
            }
            if (_receivedEnd == _received.Length)
            {
                MakeRoom();
            }
            int received = ReceiveSome(_received.AsSpan(_receivedEnd));
            if (received == 0)
            {
                return; // drained
            }
            if (received < 0 || Volatile.Read(ref _failed))
            {
                Fail();
                Close();
                return;
            }
            _receivedEnd += received;
            if (!Dispatch(_received.AsSpan(_receivedStart, _receivedEnd - _receivedStart), out int consumed))
            {
                Fail();
                Close();
                return;
            }
            _receivedStart += consumed;
            if (_receivedStart == _receivedEnd)
            {
                _receivedStart = _receivedEnd = 0;
            }
        }
    }

    /// <summary>Moves a partial reply to the front, or grows the buffer when one reply fills it.</summary>
    private void MakeRoom()
    {
        if (_receivedStart > 0)
        {
            _received.AsSpan(_receivedStart, _receivedEnd - _receivedStart).CopyTo(_received);
            _receivedEnd -= _receivedStart;
            _receivedStart = 0;
            return;
        }
        byte[] grown = ArrayPool<byte>.Shared.Rent(_received.Length * 2);
        _received.AsSpan(0, _receivedEnd).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_received);
        _received = grown;
    }

    /// <summary>Hands the complete reply frames in <paramref name="input"/> to their targets; false on a protocol error.</summary>
    private bool Dispatch(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            OperationStatus status = BinaryCodec.TryParseReply(input[consumed..], out BinaryFrame frame, out int length);
            if (status == OperationStatus.NeedMoreData)
            {
                return true;
            }
            if (status != OperationStatus.Done || frame.Opcode == BinaryOpcode.ConnectionError)
            {
                return false;
            }
            if (frame.Opcode == BinaryOpcode.Evicted)
            {
                // Unasked, and ahead of the replies it must precede: handled before the next frame is looked at. A
                // failed link's worker is down already (and refilled before it serves): its notices are dropped.
                consumed += length;
                if (Volatile.Read(ref _failed))
                {
                    continue;
                }
                if (frame.Header.Status != BinaryStatus.Ok)
                {
                    _notices?.OnNoticesLost();
                }
                else
                {
                    _notices?.OnEvicted(frame.Key, frame.Header.Version, frame.Header.RequestId);
                }
                continue;
            }
            if (frame.Header.Status == BinaryStatus.Fenced && OnFenced is { } fenced)
            {
                fenced(frame.Header.Version);
                return false; // no reply of a fenced orchestrator's link counts: every request in flight fails
            }
            PendingReply head;
            using (_lock.EnterScope())
            {
                if (_pendingCount == 0 || _pending[_pendingHead].RequestId != frame.RequestId)
                {
                    return false; // a reply to nothing we asked, or out of order: the stream cannot be trusted
                }
                head = _pending[_pendingHead];
                if (!frame.Header.Has(BinaryFrameFlags.More))
                {
                    _pending[_pendingHead] = default;
                    _pendingHead = (_pendingHead + 1) % _pending.Length;
                    _pendingCount--;
                }
            }
            consumed += length;
            head.Target.OnReply(frame, head.Token);
        }
    }

    /// <summary>
    /// Stops reading replies after the ones already received (flow control for a stream whose items are
    /// forwarded elsewhere); <see cref="Resume"/> reads on. Any thread.
    /// </summary>
    public void Pause() => _paused = true;

    /// <summary>Reads replies again after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        if (_paused)
        {
            _paused = false;
            Schedule();
        }
    }

    /// <summary>
    /// Marks the link failed and fails every request in flight, once; any thread. The socket is closed by the loop,
    /// which alone may release its registration, with a reset: the requests it still held, unsent or unacknowledged,
    /// die with it. Closed gracefully, they would reach the worker whenever the network let them — after a partition,
    /// once the worker has been refilled — and run there after the orchestrator has given up on them and decided them
    /// again on the other copy (docs/consistency.md, "Health and failure detection").
    /// </summary>
    private void Fail()
    {
        PendingReply[] failed;
        int head, count;
        using (_lock.EnterScope())
        {
            if (_failed)
            {
                return;
            }
            Volatile.Write(ref _failed, true);
            failed = _pending;
            head = _pendingHead;
            count = _pendingCount;
            _pending = [];
            _pendingCount = 0;
        }
        ResetOnClose();
        Schedule();
        _onFailed?.Invoke(this);
        for (int i = 0; i < count; i++)
        {
            PendingReply pending = failed[(head + i) % failed.Length];
            pending.Target.OnLinkFailed(pending.Token);
        }
    }

    /// <summary>Closes the socket and gives back the receive buffer; loop thread, after <see cref="Fail"/>.</summary>
    private void Close()
    {
        if (CloseSocket())
        {
            ArrayPool<byte>.Shared.Return(_received);
            _received = [];
        }
    }

    /// <summary>Closes the link; requests in flight fail.</summary>
    public void Dispose() => Fail();
}
