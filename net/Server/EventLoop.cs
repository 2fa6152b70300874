using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// One thread waiting on one epoll instance for the sockets it drives (<see cref="LoopSocket"/>): a worker's
/// client connections, the orchestrator's client connections and its links to workers. It handles every event
/// a wait returned, then runs the work scheduled meanwhile: so all the requests that a batch of client reads
/// sends to one worker leave in one send, and all the replies one batch completes for a client leave in one
/// send, whichever connection they came from. This is the batching a loop on
/// <see cref="SocketAsyncEventArgs"/> cannot do (it has no "end of batch"), and what keeps the orchestrator's
/// system calls per request near a proxy's (docs/operations.md).
/// <para>
/// Sockets are edge-triggered (read until drained, write until full, then wait for the next edge) and
/// registered once. Another thread hands work to the loop through <see cref="Schedule"/>, which writes to an
/// eventfd the loop also waits on. Linux only.
/// </para>
/// <para>
/// Urgent sockets (the orchestrator's links to its workers) are also registered in a second epoll instance. When a
/// wait returns a full batch, more events are queued behind it in the kernel, in the order they became ready: ten
/// thousand clients disconnecting at once put ten thousand events ahead of a worker's health answer, and the worker
/// was marked down for the orchestrator's own backlog (measured: 10,000 closes took 0.4 s of the loop's CPU, nearly
/// all of it in the kernel's close, and on the loaded 2-core machine both workers went down). So after a full batch
/// the loop also polls the urgent set, without waiting, and handles those first: a worker's replies wait for at most
/// one batch of client events (UrgentSocketTests). An urgent socket's event then comes twice (the main set reports
/// it later); the second finds nothing to read.
/// </para>
/// </summary>
public sealed class EventLoop : IDisposable
{
    private const int WakeId = 0;

    /// <summary>How often the loop runs its housekeeping over every socket it drives (<see cref="ILoopSocket.OnIdleCheck"/>).</summary>
    public static readonly TimeSpan IdleCheckInterval = TimeSpan.FromSeconds(1);

    private static readonly long IdleCheckTicks = (long)(IdleCheckInterval.TotalSeconds * Stopwatch.Frequency);
    private AdaptivePoll _poll;
    private long _nextIdleCheck = Stopwatch.GetTimestamp() + IdleCheckTicks;
    private const int BatchEvents = 256;
    private const int UrgentBatchEvents = 64;

    private readonly int _epoll;
    private readonly int _urgentEpoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly Lock _lock = new();
    // Guarded by _lock: work posted from other threads.
    private List<ILoopSocket> _posted = [];
    private List<ILoopSocket> _postedTaken = [];
    private bool _signaled;
    // The loop thread's own: the socket of each id, free ids, work scheduled during this batch, and ids
    // released in it (reused after it).
    private ILoopSocket?[] _sockets = new ILoopSocket?[64];
    private readonly Stack<int> _freeIds = new();
    private int _nextId = WakeId + 1;
    private List<ILoopSocket> _ready = [];
    private List<ILoopSocket> _running = [];
    private List<ILoopSocket> _yielded = [];
    private List<ILoopSocket> _resumed = [];
    private readonly List<int> _released = [];
    private volatile bool _stopping;
    private long _faults;

    /// <summary>
    /// Starts a loop on a new thread named <paramref name="name"/>. With <paramref name="maxPoll"/> above zero, a
    /// loop that finds nothing to do may poll (non-blocking epoll_wait calls) for up to that long before it sleeps,
    /// as long as its recent sleeps say that pays (<see cref="AdaptivePoll"/>): a request that arrives meanwhile
    /// is served without the sleep and the wake-up.
    /// </summary>
    public EventLoop(string name, TimeSpan maxPoll = default)
    {
        _poll = new AdaptivePoll(maxPoll);
        _epoll = Epoll.Create();
        _urgentEpoll = Epoll.Create();
        _wake = Epoll.CreateEvent();
        Epoll.Add(_epoll, _wake, Epoll.In | Epoll.EdgeTriggered, WakeId);
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Whether the caller runs on this loop's thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Callbacks that threw (each closed its socket; a bug, counted so tests and stats can see it).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>
    /// Starts watching <paramref name="socket"/> (non-blocking, edge-triggered, for reading and writing) on behalf
    /// of <paramref name="owner"/>, <paramref name="urgent"/> ones ahead of a backlog; returns the id to release it
    /// with. Loop thread only.
    /// </summary>
    internal int Register(Socket socket, ILoopSocket owner, bool urgent = false)
    {
        if (!_freeIds.TryPop(out int id))
        {
            id = _nextId++;
            if (id == _sockets.Length)
            {
                Array.Resize(ref _sockets, _sockets.Length * 2);
            }
        }
        _sockets[id] = owner;
        socket.Blocking = false;
        Epoll.Add(_epoll, (int)socket.Handle, Epoll.In | Epoll.Out | Epoll.ReadHangUp | Epoll.EdgeTriggered, id);
        if (urgent)
        {
            Epoll.Add(_urgentEpoll, (int)socket.Handle, Epoll.In | Epoll.Out | Epoll.ReadHangUp | Epoll.EdgeTriggered, id);
        }
        return id;
    }

    /// <summary>
    /// Stops watching <paramref name="socket"/>, before its owner disposes it. Loop thread only. The id is reused
    /// only after this batch, so an event already read for it reaches nobody rather than a newer socket.
    /// </summary>
    internal void Unregister(Socket socket, int id, bool urgent = false)
    {
        Epoll.Remove(_epoll, (int)socket.Handle);
        if (urgent)
        {
            Epoll.Remove(_urgentEpoll, (int)socket.Handle);
        }
        _sockets[id] = null;
        _released.Add(id);
    }

    /// <summary>
    /// Runs <paramref name="socket"/>'s <see cref="ILoopSocket.OnScheduled"/> on the loop after the events of the
    /// current batch (or at once, woken, when called from another thread). Callers schedule a socket once until it
    /// runs (each keeps its own flag).
    /// </summary>
    internal void Schedule(ILoopSocket socket)
    {
        if (IsLoopThread)
        {
            _ready.Add(socket);
            return;
        }
        bool signal;
        using (_lock.EnterScope())
        {
            _posted.Add(socket);
            signal = !_signaled;
            _signaled = true;
        }
        if (signal)
        {
            Epoll.Signal(_wake);
        }
    }

    /// <summary>
    /// Runs <paramref name="socket"/>'s <see cref="ILoopSocket.OnScheduled"/> in the next batch, after the events
    /// of the next wait (which then does not block): a socket with more to read than its turn allows yields, so
    /// one busy stream cannot keep the loop from its other sockets. Loop thread only.
    /// </summary>
    internal void Yield(ILoopSocket socket) => _yielded.Add(socket);

    /// <summary>
    /// Polls for up to <paramref name="window"/> Stopwatch ticks; the number of events (0 if none came). Each empty
    /// poll is followed by a yield, so a thread that is ready to run on this core (the load tool, an orchestrator)
    /// runs before the polling goes on.
    /// </summary>
    private int Poll(int[] events, long window)
    {
        long start = Stopwatch.GetTimestamp();
        do
        {
            int count = Epoll.Wait(_epoll, events, 0);
            if (count > 0)
            {
                return count;
            }
            Thread.Yield();
        }
        while (Stopwatch.GetTimestamp() - start < window);
        return 0;
    }

    private void Run()
    {
        int[] events = new int[BatchEvents * Epoll.Stride];
        int[] urgentEvents = new int[UrgentBatchEvents * Epoll.Stride];
        while (!_stopping)
        {
            int count;
            if (_yielded.Count > 0)
            {
                count = Epoll.Wait(_epoll, events, 0); // a socket that yielded has more to do: no sleep
            }
            else
            {
                count = _poll.Window > 0 ? Poll(events, _poll.Window) : 0;
                if (count == 0)
                {
                    long asleep = Stopwatch.GetTimestamp();
                    count = Epoll.Wait(_epoll, events, MillisecondsUntil(_nextIdleCheck, asleep));
                    _poll.Slept(Stopwatch.GetTimestamp() - asleep);
                }
            }
            (_yielded, _resumed) = (_resumed, _yielded);
            if (count == BatchEvents)
            {
                // A backlog: the urgent sockets' events go first (the class comment says why).
                HandleEvents(urgentEvents, Epoll.Wait(_urgentEpoll, urgentEvents, 0));
            }
            HandleEvents(events, count);
            using (_lock.EnterScope())
            {
                (_posted, _postedTaken) = (_postedTaken, _posted);
                _signaled = false;
            }
            _ready.AddRange(_postedTaken);
            _postedTaken.Clear();
            _ready.AddRange(_resumed);
            _resumed.Clear();
            // Scheduled work may schedule more (a reply completed by a worker's answer wakes its client): run
            // until none is left, so everything this batch set off leaves before the next wait.
            while (_ready.Count > 0)
            {
                (_ready, _running) = (_running, _ready);
                foreach (ILoopSocket socket in _running)
                {
                    Guard(socket, 0, LoopCallback.Scheduled);
                }
                _running.Clear();
            }
            foreach (int id in _released)
            {
                _freeIds.Push(id);
            }
            _released.Clear();
            long now = Stopwatch.GetTimestamp();
            if (now >= _nextIdleCheck)
            {
                _nextIdleCheck = now + IdleCheckTicks;
                CheckIdle();
            }
        }
    }

    /// <summary>Hands each of the first <paramref name="count"/> events to its socket (the wake event drains the eventfd).</summary>
    private void HandleEvents(int[] events, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int id = Epoll.IdAt(events, i);
            if (id == WakeId)
            {
                Epoll.Drain(_wake);
                continue;
            }
            if (_sockets[id] is { } socket)
            {
                Guard(socket, Epoll.EventsAt(events, i), LoopCallback.Events);
            }
        }
    }

    /// <summary>The wait's timeout in milliseconds: until <paramref name="deadline"/>, at least 1.</summary>
    private static int MillisecondsUntil(long deadline, long now) =>
        (int)Math.Clamp((deadline - now) * 1000 / Stopwatch.Frequency + 1, 1, int.MaxValue);

    /// <summary>The housekeeping: every socket's <see cref="ILoopSocket.OnIdleCheck"/>, each guarded as a callback.</summary>
    private void CheckIdle()
    {
        for (int id = WakeId + 1; id < _nextId; id++)
        {
            if (_sockets[id] is { } socket)
            {
                Guard(socket, 0, LoopCallback.IdleCheck);
            }
        }
    }

    /// <summary>Runs one callback; a throw is a bug in it, and must not stop the loop's other sockets.</summary>
    private void Guard(ILoopSocket socket, uint events, LoopCallback callback)
    {
        try
        {
            switch (callback)
            {
                case LoopCallback.Events: socket.OnEvents(events); break;
                case LoopCallback.Scheduled: socket.OnScheduled(); break;
                default: socket.OnIdleCheck(); break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            try
            {
                socket.OnFault(e);
            }
            catch (Exception) when (e is not OutOfMemoryException)
            {
                // Closing failed too: the socket is left to the process's end.
            }
        }
    }

    /// <summary>
    /// Connects a socket that no other event engine watches (a .NET async operation would register it with the
    /// runtime's own epoll too, which would then wake for every event of it). The connect is non-blocking and
    /// waited for with poll on a pool thread, bounded by <paramref name="timeout"/> and the token.
    /// </summary>
    public static Task<Socket> ConnectAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            try
            {
                try
                {
                    socket.Connect(endPoint);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    var waited = System.Diagnostics.Stopwatch.StartNew();
                    while (!socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectWrite))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (waited.Elapsed > timeout) throw new SocketException((int)SocketError.TimedOut);
                    }
                    var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                    if (error != SocketError.Success) throw new SocketException((int)error);
                }
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }, cancellationToken);

    /// <summary>Stops the loop and waits for its thread (sockets still registered are left to their owners).</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        Epoll.Signal(_wake);
        if (!IsLoopThread)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
        Epoll.Close(_wake);
        Epoll.Close(_urgentEpoll);
        Epoll.Close(_epoll);
    }
}
