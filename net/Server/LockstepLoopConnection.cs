using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A worker's client connection on an <see cref="EventLoop"/>, in lockstep: read, execute every complete request,
/// send all the replies in one call, and read again only once they are out. So a client that stops reading
/// stops being read (its replies wait in one bounded buffer). A long reply (a snapshot stream) is produced a few
/// buffers per turn, so one stream never keeps the loop from its other connections (health checks included).
/// </summary>
internal sealed class LockstepLoopConnection : ServerLoopConnection
{
    private const int StreamBatchesPerTurn = 4;

    private readonly IConnectionHandler _handler;

    public LockstepLoopConnection(SocketServer server, Socket socket, IConnectionHandler handler, EventLoop loop,
        ServerOptions options, PinnedBufferPool buffers, TimeSpan idleTimeout)
        : base(server, socket, loop, options, buffers, idleTimeout)
    {
        _handler = handler;
        handler.Attach(this);
    }

    // Replies wait for the end of the loop's batch, as Redis's do (beforeSleep): every connection of one wait is
    // read and executed first, then all their replies leave together, so a client driving many connections
    // finds them ready in one wake-up rather than being woken once per connection.
    private protected override void OnReady(bool writableEdge) => Pump(deferSend: true);

    private protected override void OnScheduledWork() => Pump(deferSend: false);

    /// <summary>
    /// Sends what is pending, goes on with a stream, executes buffered requests, and reads more, until it must
    /// wait for the socket (an edge will call again), its turn is over (it yielded), or the connection closed.
    /// </summary>
    private void Pump(bool deferSend)
    {
        int reads = 0, streamed = 0;
        bool inputTried = false;
        while (!IsClosed)
        {
            if (Output.Pending > 0)
            {
                if (deferSend)
                {
                    Schedule();
                    return;
                }
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
                _handler.ContinueStream(Output);
                continue;
            }
            if (!Input.IsEmpty && !inputTried)
            {
                Input.Consume(_handler.Process(Input.Unconsumed, Output));
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
        if (!Input.MakeRoom())
        {
            Close(); // one request over the cap: nothing more can be framed
            return false;
        }
        int received = ReceiveSome(Input.Array.AsSpan(Input.FreeOffset, Input.FreeLength));
        if (received < 0)
        {
            Close();
        }
        if (received <= 0)
        {
            return false;
        }
        Input.Commit(received);
        return true;
    }

    /// <summary>Sends what is pending; true when all of it went, false when the socket is full or failed.</summary>
    private bool Send()
    {
        while (Output.Pending > 0)
        {
            if (!Writable)
            {
                return false;
            }
            int sent = SendSome(Output.Bytes.AsSpan(Output.SentOffset, Output.Pending));
            if (sent < 0)
            {
                Close();
                return false;
            }
            Output.MarkSent(sent);
        }
        return true;
    }

    private protected override void OnClosed() => _handler.OnClosed();
}
