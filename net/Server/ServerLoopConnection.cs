using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// What a server's connection on an <see cref="EventLoop"/> adds to a <see cref="LoopSocket"/>, whichever protocol
/// shape it serves (<see cref="LockstepLoopConnection"/>, <see cref="LoopConnection"/>): its pooled input and output
/// buffers, start and abort from any thread, a fault counted and closing only that connection, and the close that
/// gives the buffers back and leaves the server's set.
/// </summary>
internal abstract class ServerLoopConnection : LoopSocket, IServerConnection
{
    private readonly SocketServer _server;
    private volatile bool _abortRequested;

    private protected ServerLoopConnection(SocketServer server, Socket socket, EventLoop loop, ServerOptions options,
        PinnedBufferPool buffers)
        : base(socket, loop)
    {
        _server = server;
        Input = new InputBuffer(buffers, options.MaxRequestSize);
        Output = new OutputBuffer(buffers, options.OutputHighWater);
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

    private protected sealed override void OnWork()
    {
        if (_abortRequested)
        {
            Close();
            return;
        }
        OnScheduledWork();
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
