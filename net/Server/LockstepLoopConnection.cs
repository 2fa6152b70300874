using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A worker's client connection on an <see cref="EventLoop"/>, in lockstep: read, execute every complete request,
/// send all the replies in one call, and read again only once they are out. So a client that stops reading
/// stops being read (its replies wait in one bounded buffer). Every field is the loop thread's except the
/// schedule and abort flags. A long reply (a snapshot stream) is produced a few buffers per turn, so one stream
/// never keeps the loop from its other connections (health checks included).
/// </summary>
internal sealed class LockstepLoopConnection : IServerConnection, ILoopSocket
{
    private const int ReadsPerTurn = 16;
    private const int StreamBatchesPerTurn = 4;

    private readonly SocketServer _server;
    private readonly Socket _socket;
    private readonly IConnectionHandler _handler;
    private readonly EventLoop _loop;
    private readonly InputBuffer _input;
    private readonly OutputBuffer _output;
    private int _id = -1;
    private bool _readable;
    private bool _writable;
    private bool _closed;
    private int _scheduled;
    private volatile bool _abortRequested;

    public LockstepLoopConnection(SocketServer server, Socket socket, IConnectionHandler handler, EventLoop loop,
        ServerOptions options, PinnedBufferPool buffers)
    {
        _server = server;
        _socket = socket;
        _handler = handler;
        _loop = loop;
        _input = new InputBuffer(buffers, options.MaxRequestSize);
        _output = new OutputBuffer(buffers, options.OutputHighWater);
    }

    /// <summary>Registers the socket with the loop (on the loop's thread, like everything after).</summary>
    public void Start() => Schedule();

    /// <summary>Closes the connection from any thread (the loop does it).</summary>
    public void Abort()
    {
        _abortRequested = true;
        Schedule();
    }

    private void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _loop.Schedule(this);
        }
    }

    public void OnEvents(uint events)
    {
        if (_closed)
        {
            return;
        }
        if ((events & (Epoll.In | Epoll.ReadHangUp | Epoll.HangUp | Epoll.Error)) != 0)
        {
            _readable = true;
        }
        if ((events & (Epoll.Out | Epoll.HangUp | Epoll.Error)) != 0)
        {
            _writable = true;
        }
        Pump();
    }

    public void OnScheduled()
    {
        Volatile.Write(ref _scheduled, 0);
        if (_closed)
        {
            return;
        }
        if (_id < 0)
        {
            _id = _loop.Register(_socket, this); // reports the socket's current state as the first edge
            return;
        }
        if (_abortRequested)
        {
            Close();
            return;
        }
        Pump();
    }

    public void OnFault(Exception exception)
    {
        // A bug in a command must not take the server down with every other connection: this one is closed,
        // and the failure counted (SocketServer.HandlerFailures).
        _server.CountHandlerFailure();
        Close();
    }

    /// <summary>
    /// Sends what is pending, goes on with a stream, executes buffered requests, and reads more, until it must
    /// wait for the socket (an edge will call again), its turn is over (it yielded), or the connection closed.
    /// </summary>
    private void Pump()
    {
        int reads = 0, streamed = 0;
        bool inputTried = false;
        while (!_closed)
        {
            if (_output.Pending > 0)
            {
                if (!Send())
                {
                    return;
                }
                inputTried = false; // Process may have stopped early for a full output: the rest goes on now
                continue;
            }
            if (_handler.CloseRequested)
            {
                Close();
                return;
            }
            if (_handler.IsStreaming)
            {
                if (++streamed > StreamBatchesPerTurn)
                {
                    _loop.Yield(this);
                    return;
                }
                _handler.ContinueStream(_output);
                continue;
            }
            if (!_input.IsEmpty && !inputTried)
            {
                _input.Consume(_handler.Process(_input.Unconsumed, _output));
                inputTried = true;
                continue;
            }
            if (!_readable)
            {
                return;
            }
            if (reads++ == ReadsPerTurn)
            {
                _loop.Yield(this);
                return;
            }
            if (!Receive())
            {
                return;
            }
            inputTried = false;
        }
    }

    /// <summary>One read into the input buffer; false when there was nothing to read or the connection closed.</summary>
    private bool Receive()
    {
        if (!_input.MakeRoom())
        {
            Close(); // one request over the cap: nothing more can be framed
            return false;
        }
        int wanted = _input.FreeLength;
        int received = _socket.Receive(_input.Array.AsSpan(_input.FreeOffset, wanted), SocketFlags.None, out SocketError error);
        if (error == SocketError.WouldBlock)
        {
            _readable = false;
            return false;
        }
        if (error != SocketError.Success || received == 0)
        {
            Close();
            return false;
        }
        _input.Commit(received);
        // A short read took everything queued: data arriving later raises a new edge, so no read to EAGAIN.
        _readable = received == wanted;
        return true;
    }

    /// <summary>Sends what is pending; true when all of it went, false when the socket is full or failed.</summary>
    private bool Send()
    {
        while (_output.Pending > 0)
        {
            if (!_writable)
            {
                return false;
            }
            int sent = _socket.Send(_output.Bytes.AsSpan(_output.SentOffset, _output.Pending), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                _writable = false;
                return false;
            }
            if (error != SocketError.Success)
            {
                Close();
                return false;
            }
            _output.MarkSent(sent);
        }
        return true;
    }

    private void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        if (_id >= 0)
        {
            _loop.Unregister(_socket, _id);
        }
        _socket.Dispose();
        _handler.OnClosed();
        _input.Release();
        _output.Release();
        _server.Remove(this);
    }
}
