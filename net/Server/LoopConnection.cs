using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A client connection whose replies complete later, on an <see cref="EventLoop"/> (the orchestrator's). When
/// epoll says it is readable it reads until drained and hands each read to the handler; replies that become
/// ready (the handler calls <see cref="Wake"/>, from any thread) are sent once per loop batch, all of them in
/// one send.
/// <para>
/// Backpressure: while the handler has too many replies outstanding (<see cref="IDuplexHandler.CanReceive"/>) the
/// connection stops reading, and reads on when a later wake finds them drained. A client that never reads its
/// replies therefore stops being read: its replies wait in the output buffer and its requests in its socket.
/// </para>
/// </summary>
internal sealed class LoopConnection : LoopSocket, IDuplexChannel, IServerConnection
{
    private const int ReadsPerTurn = 16;

    private readonly SocketServer _server;
    private readonly IDuplexHandler _handler;
    private readonly InputBuffer _input;
    private readonly OutputBuffer _output;
    private bool _receiveFailed;
    private volatile bool _abortRequested;

    public LoopConnection(SocketServer server, Socket socket, IDuplexHandler handler, EventLoop loop,
        ServerOptions options, PinnedBufferPool buffers)
        : base(socket, loop)
    {
        _server = server;
        _handler = handler;
        _input = new InputBuffer(buffers, options.MaxRequestSize);
        _output = new OutputBuffer(buffers, options.OutputHighWater);
        handler.Attach(this);
    }

    /// <summary>Registers the socket with the loop (on the loop's thread, like everything after).</summary>
    public void Start() => Schedule();

    /// <inheritdoc />
    public void Wake() => Schedule();

    /// <summary>Closes the connection from any thread (the loop does it).</summary>
    public void Abort()
    {
        _abortRequested = true;
        Schedule();
    }

    private protected override void OnReady(bool writableEdge)
    {
        if (writableEdge && _output.Pending > 0)
        {
            Send(); // a send that waited for room goes on
        }
        Receive();
        CloseIfDone();
    }

    private protected override void OnWork()
    {
        if (_abortRequested)
        {
            Close();
            return;
        }
        Send();
        Receive(); // sending may have drained the replies that kept reading paused
        CloseIfDone();
    }

    private protected override void OnFault(Exception exception)
    {
        _server.CountHandlerFailure();
        Close();
    }

    /// <summary>Reads and dispatches until the socket is drained, the handler wants no more, or the peer closed.</summary>
    private void Receive()
    {
        bool dispatched = false, consumedAny = false;
        for (int reads = 0; !_receiveFailed && !IsClosed && _handler.CanReceive && !_handler.CloseRequested;)
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
            if (!Readable)
            {
                break;
            }
            if (reads++ == ReadsPerTurn)
            {
                Loop.Yield(this); // the loop's other sockets get their turn; reading goes on in the next batch
                break;
            }
            if (!_input.MakeRoom())
            {
                _receiveFailed = true; // one request over the cap: nothing more can be framed
                break;
            }
            int received = ReceiveSome(_input.Array.AsSpan(_input.FreeOffset, _input.FreeLength));
            if (received <= 0)
            {
                _receiveFailed = received < 0; // 0: nothing was waiting
                break;
            }
            _input.Commit(received);
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
        while (!IsClosed)
        {
            if (_output.Pending == 0)
            {
                _handler.TakeReady(_output);
                if (_output.Pending == 0)
                {
                    return;
                }
            }
            if (!Writable)
            {
                return;
            }
            int sent = SendSome(_output.Bytes.AsSpan(_output.SentOffset, _output.Pending));
            if (sent < 0)
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
        if (!IsClosed && (_receiveFailed || _handler.CloseRequested) && _output.Pending == 0 && !_handler.HasOutstanding)
        {
            Close();
        }
    }

    private void Close()
    {
        if (!CloseSocket())
        {
            return;
        }
        _input.Release();
        _output.Release();
        _handler.OnClosed();
        _server.Remove(this);
    }
}
