using System.Net;
using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// What a server's connection on an <see cref="EventLoop"/> adds to a <see cref="LoopSocket"/>, whichever protocol
/// shape it serves (<see cref="LockstepLoopConnection"/>, <see cref="LoopConnection"/>): its pooled input and output
/// buffers, start and abort from any thread, a fault counted and closing only that connection, and the close that
/// gives the buffers back and leaves the server's set, and the idle timeout (<see cref="ServerOptions.IdleTimeout"/>).
/// Its handler may ask it (<see cref="IClientConnection"/>) for its addresses, read once when it is accepted, to close
/// (CLIENT KILL), and to be exempt from the idle timeout (an orchestrator's link).
/// </summary>
internal abstract class ServerLoopConnection : LoopSocket, IServerConnection, IClientConnection
{
    // Idle checks in a row with nothing done before a connection gives its buffers back (1-2 s, as Redis frees
    // an idle client's query buffer after 2 s): an idle connection then holds no buffer, a busy one keeps its own.
    private const int QuietChecksBeforeTrim = 2;

    private readonly SocketServer _server;
    private readonly PinnedBufferPool _buffers;
    private volatile bool _abortRequested;
    private int _quietChecks;
    // The idle timeout in idle checks (0: none), the checks in a row without progress, and the progress last seen.
    private int _timeoutChecks;
    private int _checksWithoutProgress;
    private long _lastProgress = -1; // the first check counts as progress: the timeout runs from the accept

    private protected ServerLoopConnection(SocketServer server, Socket socket, EventLoop loop, ServerOptions options,
        PinnedBufferPool buffers, TimeSpan idleTimeout)
        : base(socket, loop)
    {
        _server = server;
        _buffers = buffers;
        _timeoutChecks = idleTimeout <= TimeSpan.Zero
            ? 0
            : (int)Math.Min(int.MaxValue, Math.Ceiling(idleTimeout / EventLoop.IdleCheckInterval));
        Input = new InputBuffer(buffers, options.MaxRequestSize);
        Output = new OutputBuffer(buffers, options.OutputHighWater);
        Descriptor = (int)socket.Handle;
        RemoteEndPoint = EndPointOf(socket, remote: true);
        LocalEndPoint = EndPointOf(socket, remote: false);
    }

    /// <inheritdoc />
    public IPEndPoint? RemoteEndPoint { get; }

    /// <inheritdoc />
    public IPEndPoint? LocalEndPoint { get; }

    /// <inheritdoc />
    public int Descriptor { get; }

    /// <summary>The socket's peer or local address; null when the socket cannot say (the peer reset it already).</summary>
    private static IPEndPoint? EndPointOf(Socket socket, bool remote)
    {
        try
        {
            return (remote ? socket.RemoteEndPoint : socket.LocalEndPoint) as IPEndPoint;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Received bytes not yet consumed.</summary>
    private protected InputBuffer Input { get; }

    /// <summary>Replies not yet sent.</summary>
    private protected OutputBuffer Output { get; }

    /// <summary>Registers the socket with the loop (on the loop's thread, like everything after).</summary>
    public void Start() => Schedule();

    /// <summary>Closes the connection from any thread (the loop does it).</summary>
    public void Abort()
    {
        _abortRequested = true;
        Schedule();
    }

    /// <inheritdoc />
    public void ExemptFromIdleTimeout() => _timeoutChecks = 0;

    /// <inheritdoc />
    public void Kill()
    {
        Shutdown(); // the peer sees the close now, not when the loop gets to it
        Abort();
    }

    private protected sealed override void OnWork()
    {
        if (_abortRequested)
        {
            Close();
            return;
        }
        OnScheduledWork();
    }

    /// <summary>
    /// After <see cref="QuietChecksBeforeTrim"/> quiet checks, gives both buffers back to the pool if they are empty:
    /// the next read or reply rents again. So ten thousand idle connections hold no buffer memory (32 KiB each
    /// otherwise), and the pool keeps what it is allowed to for the next busy one.
    /// </summary>
    private protected sealed override void OnIdleCheck(bool active)
    {
        OnHousekeeping();
        if (_timeoutChecks > 0 && TimedOut())
        {
            _server.CountTimeout(this);
            Close();
            return;
        }
        if (active)
        {
            _quietChecks = 0;
            return;
        }
        if (++_quietChecks == QuietChecksBeforeTrim && Input.IsEmpty && Output.Pending == 0)
        {
            Input.Trim();
            Output.Trim();
            if (_buffers.TakeCollectionDue())
            {
                // Thousands of connections went idle at once, past what the pool keeps: collect the arrays it
                // left, in the background (the managed heap is small; items live outside it).
                GC.Collect(2, GCCollectionMode.Forced, blocking: false);
            }
        }
    }

    /// <summary>
    /// Whether the connection has made no progress (no request consumed, no reply byte sent) for the idle timeout's
    /// checks in a row, while not waiting for replies of its own. Bytes received without completing a request are
    /// no progress: a request trickled a byte a second times out like silence does.
    /// </summary>
    private bool TimedOut()
    {
        long progress = Input.Consumed + Output.Sent;
        if (progress != _lastProgress || AwaitsReplies)
        {
            _lastProgress = progress;
            _checksWithoutProgress = 0;
            return false;
        }
        return ++_checksWithoutProgress >= _timeoutChecks;
    }

    /// <summary>Whether replies to requests already taken are still being produced elsewhere (an orchestrator's workers).</summary>
    private protected virtual bool AwaitsReplies => false;

    /// <summary>Each idle check, busy or quiet: the protocol's own housekeeping. Nothing by default.</summary>
    private protected virtual void OnHousekeeping()
    {
    }

    /// <summary>Scheduled work of a connection that is not being aborted.</summary>
    private protected abstract void OnScheduledWork();

    private protected sealed override void OnFault(Exception exception)
    {
        // A bug in a command must not take the server down with every other connection: this one is closed,
        // and the failure counted (SocketServer.HandlerFailures).
        _server.CountHandlerFailure();
        Close();
    }

    /// <summary>The handler's last call: the connection has closed.</summary>
    private protected abstract void OnClosed();

    /// <summary>Closes the socket, gives the buffers back and leaves the server's set; once.</summary>
    private protected void Close()
    {
        if (!CloseSocket())
        {
            return;
        }
        Input.Release();
        Output.Release();
        OnClosed();
        _server.Remove(this);
    }
}
