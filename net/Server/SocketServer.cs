using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// Accepts TCP connections and hands each to one of its <see cref="EventLoop"/>s, in turn: in lockstep
/// (<see cref="LockstepLoopConnection"/>, the worker) or full duplex for handlers whose replies complete later
/// (<see cref="LoopConnection"/>, the orchestrator, made by <see cref="CreateDuplex"/>). Only the accepts run
/// on the runtime's socket engine; with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 set before the first
/// socket exists (the hosts do, first thing in Main) they run on its thread without a hop to the pool.
/// </summary>
public sealed class SocketServer : IDisposable
{
    // Linux's SOL_SOCKET and SO_REUSEADDR (asm-generic/socket.h).
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private Func<Socket, IServerConnection> _connect;
    private readonly ServerOptions _options;
    private readonly Socket _listener;
    private readonly IPEndPoint _endpoint;
    private readonly SocketAsyncEventArgs _accept = new();
    private readonly ConcurrentDictionary<IServerConnection, byte> _connections = new();
    private readonly PinnedBufferPool _buffers;
    private int _disposed;
    private long _rejected;
    private long _handlerFailures;

    /// <summary>
    /// Binds to <paramref name="endpoint"/> (port 0 picks a free one), each connection driven in lockstep by one of
    /// <paramref name="loops"/>, in turn (the worker's server); call <see cref="Start"/> to serve. Throws
    /// <see cref="ListenException"/> when the port is in use by another listener or cannot be bound.
    /// </summary>
    public SocketServer(IPEndPoint endpoint, Func<IConnectionHandler> handlers, EventLoopGroup loops, ServerOptions? options = null)
        : this(endpoint, options)
    {
        _connect = socket => new LockstepLoopConnection(this, socket, handlers(), loops.Next(), _options, _buffers);
    }

    /// <summary>
    /// A server whose handlers reply asynchronously (<see cref="IDuplexHandler"/>: the orchestrator): each
    /// connection is driven by one of <paramref name="loops"/>, in turn.
    /// </summary>
    public static SocketServer CreateDuplex(IPEndPoint endpoint, Func<IDuplexHandler> handlers, EventLoopGroup loops,
        ServerOptions? options = null)
    {
        var server = new SocketServer(endpoint, options);
        server._connect = socket => new LoopConnection(server, socket, handlers(), loops.Next(), server._options, server._buffers);
        return server;
    }

    private SocketServer(IPEndPoint endpoint, ServerOptions? options)
    {
        _connect = null!;
        _endpoint = endpoint;
        _options = options ?? new ServerOptions();
        _buffers = new PinnedBufferPool(_options.ReceiveBufferSize);
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR alone: a port another socket listens on is refused (EADDRINUSE), yet a restarted server binds
            // at once over its old connections' TIME_WAIT and FIN_WAIT2 (after a kill -9). Not
            // SocketOptionName.ReuseAddress: on Linux .NET sets SO_REUSEPORT with it, and a second server then listens
            // on the same port and the kernel splits connections between the two (issue 11). .NET's bind sets
            // SO_REUSEADDR on a Unix TCP socket by itself (without it a TIME_WAIT blocks the port for a minute);
            // it is set here so the choice does not hang on that. Measured on Linux with .NET 10 (no option, this one,
            // ReuseAddress) and shown by tests/Integration/BusyPortTests.cs.
            if (OperatingSystem.IsLinux())
            {
                _listener.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }
            _listener.Bind(endpoint);
        }
        catch (SocketException e)
        {
            _listener.Dispose();
            throw new ListenException(endpoint, e);
        }
        _accept.Completed += (_, _) => { if (Accepted()) AcceptLoop(); };
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connections being served.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Buffers the server's pool holds for the next connection that needs one (for tests and stats).</summary>
    internal int PooledBuffers => _buffers.Retained;

    /// <summary>Connections refused because <see cref="ServerOptions.MaxConnections"/> were open.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>Connections closed because their handler threw (a bug: the server went on serving the others).</summary>
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    internal void CountHandlerFailure() => Interlocked.Increment(ref _handlerFailures);

    /// <summary>
    /// Starts listening and accepting. Throws <see cref="ListenException"/> when another socket took the port between
    /// the bind and this call (both bound with SO_REUSEADDR, the first to listen has it).
    /// </summary>
    public void Start()
    {
        try
        {
            _listener.Listen(1024);
        }
        catch (SocketException e)
        {
            throw new ListenException(_endpoint, e);
        }
        AcceptLoop();
    }

    private void AcceptLoop()
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            _accept.AcceptSocket = null;
            bool pending;
            try
            {
                pending = _listener.AcceptAsync(_accept);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (pending || !Accepted())
            {
                return;
            }
        }
    }

    /// <summary>Handles a finished accept; true to accept again.</summary>
    private bool Accepted()
    {
        if (_accept.SocketError == SocketError.OperationAborted || Volatile.Read(ref _disposed) != 0)
        {
            _accept.AcceptSocket?.Dispose();
            return false;
        }
        Socket? socket = _accept.AcceptSocket;
        if (_accept.SocketError != SocketError.Success || socket == null)
        {
            socket?.Dispose();
            return true;
        }
        if (_connections.Count >= _options.MaxConnections)
        {
            Interlocked.Increment(ref _rejected);
            socket.Dispose();
            return true;
        }
        socket.NoDelay = true;
        IServerConnection connection = _connect(socket);
        _connections.TryAdd(connection, 0);
        connection.Start();
        return true;
    }

    internal void Remove(IServerConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>
    /// Stops accepting, closes every connection, and waits (5 s at most) until each connection's loop has let go:
    /// after this returns no handler is running, so the owner may free what handlers use (the engine).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _listener.Dispose();
        foreach (IServerConnection connection in _connections.Keys)
        {
            connection.Abort();
        }
        // A connection closes itself on its own thread once its operation in flight fails; wait for that.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!_connections.IsEmpty && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(1);
        }
    }
}
