using System.Buffers;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// One pipelined connection from the orchestrator to a worker. A worker executes and answers the requests of a
/// connection in order, so requests in flight are a FIFO ring and replies are matched to its head (the request
/// id is checked, not looked up): no dictionary and no task per request. Senders on any thread append their
/// frame to a buffer under a short lock; one send at a time drains it, so requests issued while a send is in
/// flight go out together in the next one. When the connection fails, every request in flight is failed at
/// once (<see cref="IWorkerReplyTarget.OnLinkFailed"/>) and later sends are refused: the owner reconnects with a
/// new link.
/// </summary>
public sealed class WorkerLink : IDisposable
{
    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private PendingReply[] _pending = new PendingReply[256];
    private int _pendingHead;
    private int _pendingCount;
    private byte[] _queued = new byte[64 * 1024];
    private int _queuedLength;
    private byte[] _sending = new byte[64 * 1024];
    private bool _sendInFlight;
    private ulong _nextRequestId;
    private bool _failed;
    private readonly Action<WorkerLink>? _onFailed;
    private TaskCompletionSource? _paused;

    private WorkerLink(Socket socket, Action<WorkerLink>? onFailed)
    {
        _socket = socket;
        _onFailed = onFailed;
        _ = ReceiveLoopAsync();
    }

    /// <summary>Connects to a worker; <paramref name="onFailed"/> runs once when the link fails.</summary>
    public static async Task<WorkerLink> ConnectAsync(IPEndPoint worker, Action<WorkerLink>? onFailed,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(worker.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(worker, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new WorkerLink(socket, onFailed);
    }

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
        bool startSend;
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
            startSend = !_sendInFlight;
            _sendInFlight = true;
        }
        if (startSend)
        {
            _ = SendLoopAsync();
        }
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

    /// <summary>Sends whatever is queued, then whatever was queued meanwhile, until nothing is left.</summary>
    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                int length;
                using (_lock.EnterScope())
                {
                    if (_queuedLength == 0 || _failed)
                    {
                        _sendInFlight = false;
                        return;
                    }
                    (_sending, _queued) = (_queued, _sending);
                    length = _queuedLength;
                    _queuedLength = 0;
                }
                int sent = 0;
                while (sent < length)
                {
                    sent += await _socket.SendAsync(_sending.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        byte[] grown = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = grown;
                    }
                }
                if (Volatile.Read(ref _paused) is { } paused)
                {
                    await paused.Task.ConfigureAwait(false);
                }
                int received = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (received == 0 || !Dispatch(buffer.AsSpan(start, end + received - start), out int consumed))
                {
                    break;
                }
                end += received;
                start += consumed;
                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The link is gone; Fail below says so to everyone waiting.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Fail();
        }
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
    public void Pause() => Interlocked.CompareExchange(ref _paused, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>Reads replies again after <see cref="Pause"/>.</summary>
    public void Resume() => Interlocked.Exchange(ref _paused, null)?.TrySetResult();

    /// <summary>Marks the link failed and fails every request in flight, once.</summary>
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
        _socket.Dispose();
        Resume();
        _onFailed?.Invoke(this);
        for (int i = 0; i < count; i++)
        {
            PendingReply pending = failed[(head + i) % failed.Length];
            pending.Target.OnLinkFailed(pending.Token);
        }
    }

    /// <summary>Closes the link; requests in flight fail.</summary>
    public void Dispose() => Fail();
}
