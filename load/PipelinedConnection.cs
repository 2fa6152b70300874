using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Numerics;
using System.Net.Sockets;
using EchoCache.Net.Protocol;

namespace EchoCache.Load;

/// <summary>
/// The load tool's own client connection over the native binary protocol, built to cost the tool as little as
/// possible: no allocation per request (frames are written into a send buffer; requests in flight live in
/// arrays indexed by request id), every reply of one read dispatched together and their follow-up requests sent
/// in one send (closed loop). Senders on any thread append under a short lock; one asynchronous send at a time
/// drains the buffer (the scheme of the orchestrator's worker links). One receive loop runs for the life of the
/// connection and records each reply in the current phase.
/// </summary>
internal sealed class PipelinedConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Workload _workload;
    private readonly Lock _lock = new();
    private readonly ulong[] _ids;
    private readonly long[] _intended;
    private readonly long[] _sent;
    private readonly int _mask;
    private byte[] _input = new byte[256 * 1024];
    private byte[] _queued = new byte[64 * 1024];
    private byte[] _sending = new byte[64 * 1024];
    private int _queuedLength;
    private bool _sendInFlight;
    private ulong _nextId = 1;
    private int _inFlight;
    private FastRandom _random;
    private volatile PhaseControl? _control;
    private volatile Exception? _failure;

    private PipelinedConnection(Socket socket, Workload workload, int capacity, ulong seed)
    {
        _socket = socket;
        _workload = workload;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 2));
        _ids = new ulong[size];
        _intended = new long[size];
        _sent = new long[size];
        _mask = size - 1;
        _random = new FastRandom(seed);
    }

    /// <summary>Connects and starts the receive loop; at most <paramref name="capacity"/> requests in flight.</summary>
    public static async Task<PipelinedConnection> ConnectAsync(IPEndPoint endPoint, Workload workload, int capacity, ulong seed,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new PipelinedConnection(socket, workload, capacity, seed);
        _ = connection.ReceiveLoopAsync();
        return connection;
    }

    /// <summary>Requests sent and not answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Why the connection failed, or null.</summary>
    public Exception? Failure => _failure;

    /// <summary>The phase whose replies this connection records.</summary>
    public PhaseControl? Control
    {
        get => _control;
        set => _control = value;
    }

    /// <summary>Queues up to <paramref name="count"/> requests of the current phase, all sent at <paramref name="now"/>.</summary>
    public int Enqueue(int count, long now)
    {
        PhaseControl? control = _control;
        if (control == null || _failure != null)
        {
            return 0;
        }
        int queued = 0;
        using (_lock.EnterScope())
        {
            while (queued < count && TryEnqueueLocked(control, now, now))
            {
                queued++;
            }
        }
        return queued;
    }

    /// <summary>Queues one request whose timetable slot is <paramref name="intended"/>; false when full or stopping.</summary>
    public bool TryEnqueue(long intended, long now)
    {
        PhaseControl? control = _control;
        if (control == null || _failure != null)
        {
            return false;
        }
        using (_lock.EnterScope())
        {
            return TryEnqueueLocked(control, intended, now);
        }
    }

    private bool TryEnqueueLocked(PhaseControl control, long intended, long now)
    {
        ulong id = _nextId;
        int slot = (int)(id & (ulong)_mask);
        if (Volatile.Read(ref _ids[slot]) != 0)
        {
            return false; // at capacity (or an older request in this slot is still unanswered)
        }
        int key;
        bool isGet;
        if (control.Preload)
        {
            key = control.NextPreloadKey();
            isGet = false;
            if (key < 0)
            {
                return false;
            }
        }
        else
        {
            if (!control.TryTakeRequest())
            {
                return false;
            }
            key = _workload.Choose(ref _random, out isGet);
        }
        _nextId++;
        _intended[slot] = intended;
        _sent[slot] = now;
        Volatile.Write(ref _ids[slot], id);
        byte[] keyBytes = _workload.Keys[key];
        ReadOnlySpan<byte> value = isGet ? default : _workload.Value;
        int size = BinaryProtocol.HeaderSize + keyBytes.Length + value.Length;
        if (_queued.Length - _queuedLength < size)
        {
            Array.Resize(ref _queued, Math.Max(_queued.Length * 2, _queuedLength + size));
        }
        var header = new BinaryFrameHeader { Opcode = isGet ? BinaryOpcode.Get : BinaryOpcode.Set, RequestId = id };
        BinaryCodec.TryWriteRequest(header, keyBytes, value, _queued.AsSpan(_queuedLength), out int written);
        _queuedLength += written;
        Interlocked.Increment(ref _inFlight);
        return true;
    }

    /// <summary>Starts sending what is queued, unless a send is already draining it.</summary>
    public void Flush()
    {
        using (_lock.EnterScope())
        {
            if (_sendInFlight || _queuedLength == 0)
            {
                return;
            }
            _sendInFlight = true;
        }
        _ = SendLoopAsync();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                int length;
                using (_lock.EnterScope())
                {
                    if (_queuedLength == 0 || _failure != null)
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
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == _input.Length)
                {
                    if (start > 0)
                    {
                        _input.AsSpan(start, end - start).CopyTo(_input);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref _input, _input.Length * 2);
                    }
                }
                int received = await _socket.ReceiveAsync(_input.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    Fail(new IOException("the server closed the connection"));
                    return;
                }
                end += received;
                start += Dispatch(_input.AsSpan(start, end - start));
                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e)
        {
            // Whatever ends the loop (the server, a malformed reply, a bug here) fails the connection, visibly.
            Fail(e);
        }
    }

    /// <summary>Records the complete replies at the start of <paramref name="input"/>; in a closed loop, replaces them.</summary>
    private int Dispatch(ReadOnlySpan<byte> input)
    {
        long now = Stopwatch.GetTimestamp();
        PhaseControl? control = _control;
        int total = 0, replies = 0;
        while (true)
        {
            OperationStatus status = BinaryCodec.TryParseReply(input[total..], out BinaryFrame frame, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }
            if (status != OperationStatus.Done || frame.Header.Opcode == BinaryOpcode.ConnectionError)
            {
                throw new InvalidDataException("malformed reply, or the server is closing the connection");
            }
            total += consumed;
            ulong id = frame.Header.RequestId;
            int slot = (int)(id & (ulong)_mask);
            if (Volatile.Read(ref _ids[slot]) != id)
            {
                throw new InvalidDataException($"a reply to request {id}, which is not in flight");
            }
            control?.Recorder.Record(_intended[slot], _sent[slot], now, frame.Header.Status);
            Volatile.Write(ref _ids[slot], 0);
            replies++;
        }
        if (replies > 0)
        {
            Interlocked.Add(ref _inFlight, -replies);
            if (control is { ClosedLoop: true, Stopping: false })
            {
                Enqueue(replies, now);
                Flush();
            }
        }
        return total;
    }

    private void Fail(Exception e)
    {
        if (_failure != null)
        {
            return;
        }
        _failure = e;
        PhaseControl? control = _control;
        int lost = Interlocked.Exchange(ref _inFlight, 0);
        for (int i = 0; i < lost; i++)
        {
            control?.Recorder.RecordFailure();
        }
        _socket.Dispose();
    }

    public void Dispose()
    {
        _failure ??= new ObjectDisposedException(nameof(PipelinedConnection));
        _socket.Dispose();
    }
}
