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

    /// <summary>
    /// Connections past <see cref="ServerOptions.MaxConnections"/> waiting at once for their first byte to be refused
    /// in its protocol (<see cref="MaxClientsRefusal"/>); one more is closed without a word. Each holds a descriptor
    /// and no buffer until its first byte, for <see cref="RefusalWait"/> at most.
    /// </summary>
    public const int MaxRefusing = 1024;

    /// <summary>How long a connection past the limit may take to send its first byte before it is closed unanswered.</summary>
    public static readonly TimeSpan RefusalWait = TimeSpan.FromSeconds(2);

    // What the connection set holds each connection as.
    private const byte Served = 0;
    private const byte Refusing = 1;

    // Accepting again after the process ran out of descriptors (or the kernel of buffers): the failure would repeat
    // at once, and the accept loop spin, until a connection closes.
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private Func<Socket, IServerConnection> _connect;
    private readonly EventLoopGroup _loops;
    private readonly Timer _acceptRetry;
    private readonly ServerOptions _options;
    private readonly Socket _listener;
    private readonly IPEndPoint _endpoint;
    private readonly SocketAsyncEventArgs _accept = new();
    private readonly ConcurrentDictionary<IServerConnection, byte> _connections = new();
    private readonly PinnedBufferPool _buffers;
    private int _disposed;
    private int _served;
    private int _refusing;
    private long _rejected;
    private long _acceptFailures;
    private long _timedOut;
    private long _handlerFailures;

    /// <summary>
    /// Binds to <paramref name="endpoint"/> (port 0 picks a free one), each connection driven in lockstep by one of
    /// <paramref name="loops"/>, in turn (the worker's server); call <see cref="Start"/> to serve. Throws
    /// <see cref="ListenException"/> when the port is in use by another listener or cannot be bound.
    /// </summary>
    public SocketServer(IPEndPoint endpoint, Func<IConnectionHandler> handlers, EventLoopGroup loops, ServerOptions? options = null)
        : this(endpoint, loops, options)
    {
        _connect = socket => new LockstepLoopConnection(this, socket, handlers(), loops.Next(), _options, _buffers,
            _options.IdleTimeout);
    }

    /// <summary>
    /// A server whose handlers reply asynchronously (<see cref="IDuplexHandler"/>: the orchestrator): each
    /// connection is driven by one of <paramref name="loops"/>, in turn.
    /// </summary>
    public static SocketServer CreateDuplex(IPEndPoint endpoint, Func<IDuplexHandler> handlers, EventLoopGroup loops,
        ServerOptions? options = null)
    {
        var server = new SocketServer(endpoint, loops, options);
        server._connect = socket => new LoopConnection(server, socket, handlers(), loops.Next(), server._options, server._buffers);
        return server;
    }

    private SocketServer(IPEndPoint endpoint, EventLoopGroup loops, ServerOptions? options)
    {
        _connect = null!;
        _loops = loops;
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
        _acceptRetry = new Timer(_ => AcceptLoop());
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connections being served (not counting those being refused past the limit).</summary>
    public int ConnectionCount => Volatile.Read(ref _served);

    /// <summary>The most connections served at once (<see cref="ServerOptions.MaxConnections"/>).</summary>
    public int MaxConnections => _options.MaxConnections;

    /// <summary>Connections past the limit waiting for their first byte to be refused.</summary>
    internal int RefusingCount => Volatile.Read(ref _refusing);

    /// <summary>Buffers the server's pool holds for the next connection that needs one (for tests and stats).</summary>
    internal int PooledBuffers => _buffers.Retained;

    /// <summary>Connections refused because <see cref="ServerOptions.MaxConnections"/> were open (Redis's rejected_connections).</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Accepts that failed for want of descriptors or kernel memory (EMFILE, ENFILE, ENOBUFS, ENOMEM); after each the
    /// server waits a moment before accepting again, the connection left in the backlog.
    /// </summary>
    public long AcceptFailures => Interlocked.Read(ref _acceptFailures);

    /// <summary>Connections closed because their handler threw (a bug: the server went on serving the others).</summary>
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    internal void CountHandlerFailure() => Interlocked.Increment(ref _handlerFailures);

    /// <summary>Connections closed by <see cref="ServerOptions.IdleTimeout"/>.</summary>
    public long TimedOutConnections => Interlocked.Read(ref _timedOut);

    /// <summary>Counts a connection closed for its idle timeout (one past the limit that never spoke is not counted).</summary>
    internal void CountTimeout(IServerConnection connection)
    {
        if (_connections.TryGetValue(connection, out byte kind) && kind == Served)
        {
            Interlocked.Increment(ref _timedOut);
        }
    }

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
        if (_accept.SocketError is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
        {
            // Out of descriptors: the next accept would fail at once too. Wait for connections to close.
            socket?.Dispose();
            Interlocked.Increment(ref _acceptFailures);
            _acceptRetry.Change(AcceptRetryDelay, Timeout.InfiniteTimeSpan);
            return false;
        }
        if (_accept.SocketError != SocketError.Success || socket == null)
        {
            socket?.Dispose();
            return true;
        }
        socket.NoDelay = true;
        if (Volatile.Read(ref _served) >= _options.MaxConnections)
        {
            Interlocked.Increment(ref _rejected);
            if (Volatile.Read(ref _refusing) >= MaxRefusing)
            {
                socket.Dispose();
                return true;
            }
            Interlocked.Increment(ref _refusing);
            var refusal = new LockstepLoopConnection(this, socket, new MaxClientsRefusal(), _loops.Next(), _options, _buffers,
                RefusalWait);
            _connections.TryAdd(refusal, Refusing);
            refusal.Start();
            return true;
        }
        Interlocked.Increment(ref _served);
        IServerConnection connection = _connect(socket);
        _connections.TryAdd(connection, Served);
        connection.Start();
        return true;
    }

    internal void Remove(IServerConnection connection)
    {
        if (_connections.TryRemove(connection, out byte kind))
        {
            Interlocked.Decrement(ref kind == Refusing ? ref _refusing : ref _served);
        }
    }

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
        _acceptRetry.Dispose();
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
