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
internal sealed class LoopConnection : ServerLoopConnection, IDuplexChannel
{

    private readonly IDuplexHandler _handler;
    private bool _receiveFailed;

    public LoopConnection(SocketServer server, Socket socket, IDuplexHandler handler, EventLoop loop,
        ServerOptions options, PinnedBufferPool buffers)
        : base(server, socket, loop, options, buffers, options.IdleTimeout)
    {
        _handler = handler;
        handler.Attach(this);
    }

    /// <inheritdoc />
    public void Wake() => Schedule();

    private protected override void OnReady(bool writableEdge)
    {
        if (writableEdge && Output.Pending > 0)
        {
            Send(); // a send that waited for room goes on
        }
        Receive();
        CloseIfDone();
    }

    private protected override void OnScheduledWork()
    {
        Send();
        Receive(); // sending may have drained the replies that kept reading paused
        CloseIfDone();
    }

    /// <summary>Reads and dispatches until the socket is drained, the handler wants no more, or the peer closed.</summary>
    private void Receive()
    {
        bool dispatched = false, consumedAny = false;
        for (int reads = 0; !_receiveFailed && !IsClosed && _handler.CanReceive && !_handler.CloseRequested;)
        {
            // Requests buffered earlier are dispatched first: after a pause for backpressure the client may have
            // sent everything already and be waiting for their replies, with no new byte (and no edge) to come.
            if (!Input.IsEmpty && !dispatched)
            {
                int consumed = _handler.Process(Input.Unconsumed);
                Input.Consume(consumed);
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
            if (!Input.MakeRoom())
            {
                _receiveFailed = true; // one request over the cap: nothing more can be framed
                break;
            }
            int received = ReceiveSome(Input.Array.AsSpan(Input.FreeOffset, Input.FreeLength));
            if (received <= 0)
            {
                _receiveFailed = received < 0; // 0: nothing was waiting
                break;
            }
            Input.Commit(received);
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
            if (Output.Pending == 0)
            {
                _handler.TakeReady(Output);
                if (Output.Pending == 0)
                {
                    return;
                }
            }
            if (!Writable)
            {
                return;
            }
            int sent = SendSome(Output.Bytes.AsSpan(Output.SentOffset, Output.Pending));
            if (sent < 0)
            {
                Close();
                return;
            }
            Output.MarkSent(sent);
        }
    }

    /// <summary>Closes once the peer has gone (or QUIT asked) and every reply owed has been sent.</summary>
    private void CloseIfDone()
    {
        if (!IsClosed && (_receiveFailed || _handler.CloseRequested) && Output.Pending == 0 && !_handler.HasOutstanding)
        {
            Close();
        }
    }

    private protected override void OnHousekeeping() => _handler.Housekeep();

    // Replies outstanding while nothing waits to be sent: they wait for workers, not for the client to read.
    private protected override bool AwaitsReplies => Output.Pending == 0 && _handler.HasOutstanding;

    private protected override void OnClosed() => _handler.OnClosed();
}
