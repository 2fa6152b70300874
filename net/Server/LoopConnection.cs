using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A client connection whose replies complete later, on an <see cref="EventLoop"/> (the orchestrator's). When
/// epoll says it is readable it reads until drained and hands each read to the handler; replies that become
/// ready (the handler calls <see cref="Wake"/>, from any thread) are sent once per loop batch, all of them in
/// one send. Every field below is the loop thread's, except the schedule and abort flags.
/// <para>
/// Backpressure: while the handler has too many replies outstanding (<see cref="IDuplexHandler.CanReceive"/>) the
/// connection stops reading, and reads on when a later wake finds them drained. A client that never reads its
/// replies therefore stops being read: its replies wait in the output buffer and its requests in its socket.
/// </para>
/// </summary>
internal sealed class LoopConnection : IDuplexChannel, IServerConnection, ILoopSocket
{
    private const int ReadsPerTurn = 16;
    private readonly SocketServer _server;
    private readonly Socket _socket;
    private readonly IDuplexHandler _handler;
    private readonly EventLoop _loop;
    private readonly InputBuffer _input;
    private readonly OutputBuffer _output;
    private int _id = -1;
    private bool _readable;
    private bool _writable;
    private bool _receiveFailed;
    private bool _closed;
    private int _scheduled;
    private volatile bool _abortRequested;

    public LoopConnection(SocketServer server, Socket socket, IDuplexHandler handler, EventLoop loop,
        ServerOptions options, PinnedBufferPool buffers)
    {
        _server = server;
        _socket = socket;
        _handler = handler;
        _loop = loop;
        _input = new InputBuffer(buffers, options.MaxRequestSize);
        _output = new OutputBuffer(buffers, options.OutputHighWater);
        handler.Attach(this);
    }

    /// <summary>Registers the socket with the loop (on the loop's thread, like everything after).</summary>
    public void Start() => Wake();

    /// <inheritdoc />
    public void Wake()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _loop.Schedule(this);
        }
    }

    /// <summary>Closes the connection from any thread (the loop does it).</summary>
    public void Abort()
    {
        _abortRequested = true;
        Wake();
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
            if (_output.Pending > 0)
            {
                Send(); // a send that waited for room goes on
            }
        }
        Receive();
        CloseIfDone();
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
        Send();
        Receive(); // sending may have drained the replies that kept reading paused
        CloseIfDone();
    }

    public void OnFault(Exception exception)
    {
        _server.CountHandlerFailure();
        Close();
    }

    /// <summary>Reads and dispatches until the socket is drained, the handler wants no more, or the peer closed.</summary>
    private void Receive()
    {
        bool dispatched = false, consumedAny = false;
        for (int reads = 0; !_receiveFailed && _handler.CanReceive && !_handler.CloseRequested;)
        {
            // Requests buffered earlier are dispatched first: after a pause for backpressure the client may have
            // sent everything already and be waiting for their replies, with no new byte (and no edge) to come.
            if (!_input.IsEmpty && !dispatched)
            {
                int consumed = _handler.Process(_input.Unconsumed);
                _input.Consume(consumed);
                consumedAny |= consumed > 0;
                dispatched = true;
                continue;
            }
            if (!_readable)
            {
                break;
            }
            if (reads++ == ReadsPerTurn)
            {
                _loop.Yield(this); // the loop's other sockets get their turn; reading goes on in the next batch
                break;
            }
            if (!_input.MakeRoom())
            {
                _receiveFailed = true; // one request over the cap: nothing more can be framed
                break;
            }
            int wanted = _input.FreeLength;
            int received = _socket.Receive(_input.Array.AsSpan(_input.FreeOffset, wanted), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                _readable = false;
                break;
            }
            if (error != SocketError.Success || received == 0)
            {
                _receiveFailed = true;
                break;
            }
            _input.Commit(received);
            // A short read took everything queued: data arriving later raises a new edge, so no read to EAGAIN.
            _readable = received == wanted;
            dispatched = false;
        }
        if (consumedAny)
        {
            Wake(); // replies that completed inline leave at the end of this batch
        }
    }

    /// <summary>Sends the ready replies until they are all out or the socket is full (the next edge goes on).</summary>
    private void Send()
    {
        while (true)
        {
            if (_output.Pending == 0)
            {
                _handler.TakeReady(_output);
                if (_output.Pending == 0)
                {
                    return;
                }
            }
            if (!_writable)
            {
                return;
            }
            int sent = _socket.Send(_output.Bytes.AsSpan(_output.SentOffset, _output.Pending), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                _writable = false;
                return;
            }
            if (error != SocketError.Success)
            {
                Close();
                return;
            }
            _output.MarkSent(sent);
        }
    }

    /// <summary>Closes once the peer has gone (or QUIT asked) and every reply owed has been sent.</summary>
    private void CloseIfDone()
    {
        if (!_closed && (_receiveFailed || _handler.CloseRequested) && _output.Pending == 0 && !_handler.HasOutstanding)
        {
            Close();
        }
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
        _input.Release();
        _output.Release();
        _handler.OnClosed();
        _server.Remove(this);
    }
}
