using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A worker's client connection on an <see cref="EventLoop"/>, in lockstep: read, execute every complete request,
/// send all the replies in one call, and read again only once they are out. So a client that stops reading
/// stops being read (its replies wait in one bounded buffer). A long reply (a snapshot stream) is produced a few
/// buffers per turn, so one stream never keeps the loop from its other connections (health checks included).
/// </summary>
internal sealed class LockstepLoopConnection : LoopSocket, IServerConnection
{
    private const int ReadsPerTurn = 16;
    private const int StreamBatchesPerTurn = 4;

    private readonly SocketServer _server;
    private readonly IConnectionHandler _handler;
    private readonly InputBuffer _input;
    private readonly OutputBuffer _output;
    private volatile bool _abortRequested;

    public LockstepLoopConnection(SocketServer server, Socket socket, IConnectionHandler handler, EventLoop loop,
        ServerOptions options, PinnedBufferPool buffers)
        : base(socket, loop)
    {
        _server = server;
        _handler = handler;
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

    private protected override void OnReady(bool writableEdge) => Pump();

    private protected override void OnWork()
    {
        if (_abortRequested)
        {
            Close();
            return;
        }
        Pump();
    }

    private protected override void OnFault(Exception exception)
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
        while (!IsClosed)
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
                    Loop.Yield(this);
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
            if (!Readable)
            {
                return;
            }
            if (reads++ == ReadsPerTurn)
            {
                Loop.Yield(this);
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
        int received = ReceiveSome(_input.Array.AsSpan(_input.FreeOffset, _input.FreeLength));
        if (received < 0)
        {
            Close();
        }
        if (received <= 0)
        {
            return false;
        }
        _input.Commit(received);
        return true;
    }

    /// <summary>Sends what is pending; true when all of it went, false when the socket is full or failed.</summary>
    private bool Send()
    {
        while (_output.Pending > 0)
        {
            if (!Writable)
            {
                return false;
            }
            int sent = SendSome(_output.Bytes.AsSpan(_output.SentOffset, _output.Pending));
            if (sent < 0)
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
        if (!CloseSocket())
        {
            return;
        }
        _handler.OnClosed();
        _input.Release();
        _output.Release();
        _server.Remove(this);
    }
}
