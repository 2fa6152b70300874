using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// What every socket an <see cref="EventLoop"/> drives has in common: registration on the loop's thread,
/// edge-triggered readiness (readable until a read comes back short or would block, writable until a send would
/// block), scheduling from any thread at most once until it runs, and closing. Subclasses say what to do when
/// the socket is ready (<see cref="OnReady"/>) and when scheduled work runs (<see cref="OnWork"/>); every call
/// below comes on the loop's thread unless it says otherwise.
/// </summary>
public abstract class LoopSocket : ILoopSocket
{
    /// <summary>Reads a socket may make in one turn before it yields to the loop's other sockets.</summary>
    private protected const int ReadsPerTurn = 16;

    private readonly Socket _socket;
    private int _id = -1;
    private int _scheduled;
    private bool _activeSinceIdleCheck;

    private protected LoopSocket(Socket socket, EventLoop loop)
    {
        _socket = socket;
        Loop = loop;
    }

    /// <summary>The loop this socket runs on.</summary>
    private protected EventLoop Loop { get; }

    /// <summary>Whether data may be waiting (the last edge said so and no read has come back short since).</summary>
    private protected bool Readable { get; private set; }

    /// <summary>Whether a send may go through (no send has been refused since the last writable edge).</summary>
    private protected bool Writable { get; private set; }

    /// <summary>
    /// Whether the loop handles this socket's events ahead of a backlog of others (an orchestrator's link to a worker:
    /// its replies complete clients' requests, and its health answers must not wait behind thousands of clients).
    /// </summary>
    private protected virtual bool Urgent => false;

    /// <summary>Whether the socket is closed; nothing more runs for it.</summary>
    private protected bool IsClosed { get; private set; }

    /// <summary>Runs <see cref="OnWork"/> on the loop after its current batch; any thread, once until it runs.</summary>
    private protected void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            Loop.Schedule(this);
        }
    }

    void ILoopSocket.OnEvents(uint events)
    {
        if (IsClosed)
        {
            return;
        }
        _activeSinceIdleCheck = true;
        if ((events & (Epoll.In | Epoll.ReadHangUp | Epoll.HangUp | Epoll.Error)) != 0)
        {
            Readable = true;
        }
        bool writable = (events & (Epoll.Out | Epoll.HangUp | Epoll.Error)) != 0;
        if (writable)
        {
            Writable = true;
        }
        OnReady(writable);
    }

    void ILoopSocket.OnScheduled()
    {
        Volatile.Write(ref _scheduled, 0);
        if (IsClosed)
        {
            return;
        }
        _activeSinceIdleCheck = true;
        if (_id < 0)
        {
            _id = Loop.Register(_socket, this, Urgent); // the socket's current state arrives as its first edge
            return;
        }
        OnWork();
    }

    void ILoopSocket.OnIdleCheck()
    {
        if (!IsClosed)
        {
            OnIdleCheck(_activeSinceIdleCheck);
            _activeSinceIdleCheck = false;
        }
    }

    void ILoopSocket.OnFault(Exception exception) => OnFault(exception);

    /// <summary>
    /// The loop's housekeeping (<see cref="ILoopSocket.OnIdleCheck"/>); <paramref name="active"/> when an event or
    /// scheduled work came since the last check. Nothing by default.
    /// </summary>
    private protected virtual void OnIdleCheck(bool active)
    {
    }

    /// <summary>epoll reported the socket ready; <paramref name="writableEdge"/> when it may send again.</summary>
    private protected abstract void OnReady(bool writableEdge);

    /// <summary>Scheduled work (<see cref="Schedule"/>, or a turn after the socket yielded).</summary>
    private protected abstract void OnWork();

    /// <summary>A callback threw (a bug): close; the loop goes on with its other sockets.</summary>
    private protected abstract void OnFault(Exception exception);

    /// <summary>
    /// One non-blocking read into <paramref name="buffer"/>: the bytes read; 0 when nothing was waiting (no longer
    /// readable); -1 when the peer closed or the socket failed. A short read took everything queued, so the
    /// socket counts as drained: data arriving later raises a new edge, and no read is spent on EAGAIN.
    /// </summary>
    private protected int ReceiveSome(Span<byte> buffer)
    {
        int received = _socket.Receive(buffer, SocketFlags.None, out SocketError error);
        if (error == SocketError.WouldBlock)
        {
            Readable = false;
            return 0;
        }
        if (error != SocketError.Success || received == 0)
        {
            return -1;
        }
        Readable = received == buffer.Length;
        return received;
    }

    /// <summary>One non-blocking send: the bytes sent; 0 when the socket is full (no longer writable); -1 on failure.</summary>
    private protected int SendSome(ReadOnlySpan<byte> bytes)
    {
        int sent = _socket.Send(bytes, SocketFlags.None, out SocketError error);
        if (error == SocketError.WouldBlock)
        {
            Writable = false;
            return 0;
        }
        return error == SocketError.Success ? sent : -1;
    }

    /// <summary>Releases the registration and closes the socket; false if it was closed already.</summary>
    private protected bool CloseSocket()
    {
        if (IsClosed)
        {
            return false;
        }
        IsClosed = true;
        if (_id >= 0)
        {
            Loop.Unregister(_socket, _id, Urgent);
        }
        _socket.Dispose();
        return true;
    }

    /// <summary>
    /// Makes the socket's close abortive, from any thread: the loop's <see cref="CloseSocket"/> then resets the
    /// connection, and whatever it still holds unsent, or sent and not acknowledged, is dropped with it. A socket
    /// closed gracefully is not done with its data: the kernel sends it on until the peer acknowledges it — across a
    /// partition, when it heals, seconds later — and the peer reads it then.
    /// </summary>
    private protected void ResetOnClose()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    /// <summary>Shuts the socket down from any thread: the peer sees the close at once, and the loop's next read fails.</summary>
    private protected void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }
}
