using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// One client connection driven by two SocketAsyncEventArgs, in lockstep: receive, execute every complete
/// request, send all the replies in one call, and only then receive again. So a client that stops reading
/// stops being read (its replies wait in one bounded buffer), and a connection needs no lock: at most one
/// operation of it is in flight. Synchronous completions are handled in a loop, never by recursion, and with
/// inline completions (see networking.md) the whole cycle runs on the socket engine's thread without a hop.
/// </summary>
internal sealed class Connection : IServerConnection
{
    private const int StreamBatchesPerTurn = 4;

    private readonly SocketServer _server;
    private readonly Socket _socket;
    private readonly IConnectionHandler _handler;
    private readonly ServerOptions _options;
    private readonly SocketAsyncEventArgs _receive = new();
    private readonly SocketAsyncEventArgs _send = new();
    private readonly OutputBuffer _output;
    private readonly InputBuffer _input;
    private int _closed;

    public Connection(SocketServer server, Socket socket, IConnectionHandler handler, ServerOptions options,
        PinnedBufferPool buffers)
    {
        _server = server;
        _socket = socket;
        _handler = handler;
        _options = options;
        _input = new InputBuffer(buffers, options.MaxRequestSize);
        _output = new OutputBuffer(buffers, options.OutputHighWater);
        _receive.Completed += (_, _) => { if (Received()) ReceiveLoop(); };
        _send.Completed += (_, _) => { if (Sent() && Pump()) ReceiveLoop(); };
    }

    public void Start() => ReceiveLoop();

    private void ReceiveLoop()
    {
        while (true)
        {
            if (!_input.MakeRoom())
            {
                Close();
                return;
            }
            _receive.SetBuffer(_input.Array, _input.FreeOffset, _input.FreeLength);
            bool pending;
            try
            {
                pending = _socket.ReceiveAsync(_receive);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (pending || !Received())
            {
                return;
            }
        }
    }

    /// <summary>Handles a finished receive; true when the loop should receive again at once.</summary>
    private bool Received()
    {
        if (_receive.SocketError != SocketError.Success || _receive.BytesTransferred == 0)
        {
            Close();
            return false;
        }
        _input.Commit(_receive.BytesTransferred);
        return Pump();
    }

    /// <summary>
    /// Executes buffered requests and sends their replies until more input is needed (true), a send is
    /// pending (false; its completion resumes here), or the connection closed (false).
    /// </summary>
    private bool Pump()
    {
        int streamed = 0;
        while (true)
        {
            if (_handler.IsStreaming)
            {
                // A long stream whose sends keep completing at once would hold the socket engine thread and
                // starve every other connection on it (health checks included). Every few batches the rest of
                // the stream continues on the thread pool instead: a hop is nothing for a bulk transfer.
                if (++streamed > StreamBatchesPerTurn)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static connection =>
                    {
                        if (connection.Pump()) connection.ReceiveLoop();
                    }, this, preferLocal: false);
                    return false;
                }
                _handler.ContinueStream(_output);
            }
            else if (!_input.IsEmpty)
            {
                int consumed;
                try
                {
                    consumed = _handler.Process(_input.Unconsumed, _output);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug in a command must not take the whole server down with every other client's
                    // connection: this one is closed, and the failure counted (SocketServer.HandlerFailures).
                    _server.CountHandlerFailure();
                    Close();
                    return false;
                }
                _input.Consume(consumed);
            }
            if (_output.Pending > 0)
            {
                if (!SendPending())
                {
                    return false;
                }
                continue;
            }
            if (_handler.CloseRequested)
            {
                Close();
                return false;
            }
            if (!_handler.IsStreaming)
            {
                return true;
            }
        }
    }

    /// <summary>Sends what is pending; true when it all went synchronously.</summary>
    private bool SendPending()
    {
        while (_output.Pending > 0)
        {
            _send.SetBuffer(_output.Bytes, _output.SentOffset, _output.Pending);
            bool pending;
            try
            {
                pending = _socket.SendAsync(_send);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            if (pending || !Sent())
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Handles a finished send; true when the loop may go on.</summary>
    private bool Sent()
    {
        if (_send.SocketError != SocketError.Success || _send.BytesTransferred == 0)
        {
            Close();
            return false;
        }
        _output.MarkSent(_send.BytesTransferred);
        return _output.Pending == 0 || SendPending();
    }

    /// <summary>
    /// Shuts the socket down from another thread (server shutdown): the operation in flight then fails and the
    /// connection's own loop closes it, so buffers are returned only by the thread that uses them.
    /// </summary>
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
    }

    /// <summary>Closes the connection; called only from the connection's own loop.</summary>
    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        catch (ObjectDisposedException)
        {
            // Already closed by the server.
        }
        _socket.Dispose();
        _handler.OnClosed();
        // Both operations are finished or failed by now (the socket is closed), so the buffers are free.
        _input.Release();
        _output.Release();
        _server.Remove(this);
    }
}
