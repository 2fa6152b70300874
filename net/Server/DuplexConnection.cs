using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A client connection whose replies complete asynchronously: a receive loop that parses and dispatches, and an
/// independent send loop fed by the handler's ready replies. At most one receive and one send are in flight,
/// each driven by its own SocketAsyncEventArgs; <see cref="Wake"/>, callable from any thread, starts whichever
/// is idle and may run. Backpressure: while the handler has too many replies outstanding it says so through
/// <see cref="IDuplexHandler.CanReceive"/> and the connection stops reading until a wake after they drain.
/// </summary>
internal sealed class DuplexConnection : IDuplexChannel, IServerConnection
{
    private readonly SocketServer _server;
    private readonly Socket _socket;
    private readonly IDuplexHandler _handler;
    private readonly ServerOptions _options;
    private readonly SocketAsyncEventArgs _receive = new();
    private readonly SocketAsyncEventArgs _send = new();
    private readonly OutputBuffer _output;
    private readonly Lock _lock = new();
    private readonly InputBuffer _input;
    // Guarded by _lock: whether each side is running (or has an operation in flight), and whether it closed.
    private bool _receiving;
    private bool _sending;
    private bool _closed;
    private bool _receiveFailed;

    public DuplexConnection(SocketServer server, Socket socket, IDuplexHandler handler, ServerOptions options,
        PinnedBufferPool buffers)
    {
        _server = server;
        _socket = socket;
        _handler = handler;
        _options = options;
        _input = new InputBuffer(buffers, options.MaxRequestSize);
        _output = new OutputBuffer(buffers, options.OutputHighWater);
        _receive.Completed += (_, _) => ReceiveLoop(completed: true);
        _send.Completed += (_, _) => SendLoop(completed: true);
        handler.Attach(this);
    }

    public void Start()
    {
        using (_lock.EnterScope())
        {
            _receiving = true;
        }
        ReceiveLoop(completed: false);
    }

    /// <inheritdoc />
    public void Wake()
    {
        bool startSend = false;
        using (_lock.EnterScope())
        {
            if (!_closed && !_sending)
            {
                _sending = startSend = true;
            }
        }
        if (startSend) SendLoop(completed: false);
        ResumeReceiving();
    }

    /// <summary>Restarts the receive side if it is idle and may read again (replies drained below the limit).</summary>
    private void ResumeReceiving()
    {
        using (_lock.EnterScope())
        {
            if (_closed || _receiving || _receiveFailed || !_handler.CanReceive || _handler.CloseRequested)
            {
                return;
            }
            _receiving = true;
        }
        ReceiveLoop(completed: false);
    }

    private void ReceiveLoop(bool completed)
    {
        while (true)
        {
            if (completed)
            {
                if (_receive.SocketError != SocketError.Success || _receive.BytesTransferred == 0)
                {
                    StopReceiving(failed: true);
                    return;
                }
                _input.Commit(_receive.BytesTransferred);
            }
            // Requests buffered earlier are dispatched first: after a pause for backpressure the client may
            // have sent everything already and be waiting for their replies, with no new byte to come.
            if (!_input.IsEmpty && _handler.CanReceive)
            {
                int consumed;
                try
                {
                    consumed = _handler.Process(_input.Unconsumed);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug in a command closes this connection, not the whole server (as in Connection).
                    _server.CountHandlerFailure();
                    Abort();
                    StopReceiving(failed: true);
                    return;
                }
                _input.Consume(consumed);
                Wake(); // replies that completed inline are ready now
            }
            if (!_handler.CanReceive || _handler.CloseRequested)
            {
                StopReceiving(failed: false);
                return;
            }
            if (!_input.MakeRoom())
            {
                StopReceiving(failed: true); // one request over the cap: nothing more can be framed
                return;
            }
            _receive.SetBuffer(_input.Array, _input.FreeOffset, _input.FreeLength);
            try
            {
                if (_socket.ReceiveAsync(_receive))
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                StopReceiving(failed: true);
                return;
            }
            completed = true;
        }
    }

    /// <summary>The receive side goes idle; a later wake restarts it unless it failed. Closes when nothing is left.</summary>
    private void StopReceiving(bool failed)
    {
        bool close;
        using (_lock.EnterScope())
        {
            _receiving = false;
            _receiveFailed |= failed;
            close = _receiveFailed && !_sending && !_handler.HasOutstanding;
        }
        if (close) Close();
        else if (!failed) ResumeReceiving(); // the handler may have drained between its check and ours
    }

    private void SendLoop(bool completed)
    {
        while (true)
        {
            if (completed)
            {
                if (_send.SocketError != SocketError.Success || _send.BytesTransferred == 0)
                {
                    Close();
                    return;
                }
                _output.MarkSent(_send.BytesTransferred);
            }
            if (_output.Pending == 0)
            {
                _handler.TakeReady(_output);
            }
            if (_output.Pending == 0)
            {
                bool close, more;
                using (_lock.EnterScope())
                {
                    // Check again under the lock: a wake that came meanwhile found _sending set and left it to us.
                    _handler.TakeReady(_output);
                    more = _output.Pending > 0;
                    if (!more)
                    {
                        _sending = false;
                    }
                    close = !more && !_handler.HasOutstanding && (_handler.CloseRequested || _receiveFailed);
                }
                if (close)
                {
                    Close();
                    return;
                }
                if (!more)
                {
                    ResumeReceiving(); // sending drained: receiving may resume
                    return;
                }
            }
            _send.SetBuffer(_output.Bytes, _output.SentOffset, _output.Pending);
            try
            {
                if (_socket.SendAsync(_send))
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                Close();
                return;
            }
            completed = true;
        }
    }

    /// <summary>Shuts the socket down from another thread; the loops then fail and close.</summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closing.
        }
        Wake();
    }

    private void Close()
    {
        using (_lock.EnterScope())
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
        }
        _socket.Dispose();
        _handler.OnClosed();
        _server.Remove(this);
    }
}
