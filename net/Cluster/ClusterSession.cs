using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Cluster;

/// <summary>
/// One client connection of the orchestrator: requests are parsed by a protocol subclass, turned into cluster
/// calls (<see cref="ReadCall"/>, <see cref="WriteCall"/>), and their replies formatted into the
/// <see cref="ReplyQueue"/> as workers answer, to leave in request order.
/// </summary>
public abstract class ClusterSession : IDuplexHandler
{
    private IDuplexChannel? _channel;

    /// <summary>Creates a session over <paramref name="cluster"/>.</summary>
    protected ClusterSession(Cluster cluster) => Cluster = cluster;

    /// <summary>The cluster the session routes to.</summary>
    public Cluster Cluster { get; }

    internal ReplyQueue Replies { get; } = new();

    /// <inheritdoc />
    public virtual void Attach(IDuplexChannel channel) => _channel = channel;

    /// <summary>Parses and dispatches the complete requests at the start of <paramref name="input"/>.</summary>
    public abstract int Process(ReadOnlySpan<byte> input);

    // Bytes of write values copied into calls still in flight (any thread adds or takes).
    private long _writeBytesInFlight;

    /// <summary>
    /// Whether another request may be taken now: fewer than <see cref="ClusterOptions.MaxOutstandingPerClient"/>
    /// replies outstanding, and less than <see cref="ClusterOptions.MaxOutstandingBytesPerClient"/> held for the
    /// client, in write values in flight and replies not yet sent. One request is always taken below the byte cap,
    /// however large, so a client always makes progress.
    /// </summary>
    protected bool HasRoom => Replies.HasRoom(Cluster.Options.MaxOutstandingPerClient,
        Cluster.Options.MaxOutstandingBytesPerClient - Volatile.Read(ref _writeBytesInFlight));

    /// <inheritdoc />
    public bool CanReceive => HasRoom && !CloseRequested;

    /// <inheritdoc />
    public void TakeReady(OutputBuffer output) => Replies.TakeReady(output);

    /// <inheritdoc />
    public bool CloseRequested { get; protected set; }

    /// <inheritdoc />
    public bool HasOutstanding => Replies.Outstanding > 0;

    /// <inheritdoc />
    public virtual void OnClosed()
    {
    }

    /// <summary>
    /// Gives back what a past burst left: the reply ring shrinks to what the last second needed
    /// (<see cref="ReplyQueue.Housekeep"/>), and each call pool keeps no more than twice that depth, as the ring.
    /// </summary>
    public void Housekeep()
    {
        int needed = Math.Max(2 * Replies.Housekeep(), MinPooledCalls);
        using (_poolLock.EnterScope())
        {
            Trim(_reads, needed);
            Trim(_writes, needed);
            Trim(_commands, needed);
        }
    }

    /// <summary>Calls pooled for reuse, reads and writes together (test and diagnostics).</summary>
    internal int PooledCalls
    {
        get
        {
            using (_poolLock.EnterScope())
            {
                return _reads.Count + _writes.Count + _commands.Count;
            }
        }
    }

    private static void Trim<TCall>(Stack<TCall> pool, int keep)
    {
        if (pool.Count <= keep)
        {
            return;
        }
        while (pool.Count > keep)
        {
            pool.Pop();
        }
        pool.TrimExcess();
    }

    /// <summary>Records the outcome of request <paramref name="sequence"/>; any thread.</summary>
    internal void Complete(long sequence, in ClusterReply reply)
    {
        Format(sequence, reply);
        _channel?.Wake(); // on the loop, the connection sends everything ready at the end of the batch
    }

    /// <summary>Formats a call's outcome into its queue entry, in the client's protocol.</summary>
    protected abstract void Format(long sequence, in ClusterReply reply);

    /// <summary>Starts a read of <paramref name="key"/> with the worker request <paramref name="request"/>.</summary>
    protected void StartRead(long sequence, ReadOnlySpan<byte> key, in BinaryFrameHeader request) =>
        RentRead().Start(this, sequence, key, request);

    /// <summary>Starts a replicated write of <paramref name="key"/> (a replica opcode; the version is assigned).</summary>
    protected void StartWrite(long sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, in BinaryFrameHeader request)
    {
        Interlocked.Add(ref _writeBytesInFlight, value.Length);
        RentWrite().Start(this, sequence, key, value, request);
    }

    /// <summary>
    /// Starts a command passed to a worker as it is (<see cref="CommandCall"/>): read from one copy, or decided on one
    /// and its outcome replicated; <paramref name="slots"/> are its keys' distinct slots, sorted, in one pair.
    /// </summary>
    protected void StartCommand(long sequence, ReadOnlySpan<byte> command, ReadOnlySpan<int> slots, bool decided,
        bool resp3, KeyFilter filter = default, BinaryOpcode opcode = BinaryOpcode.Command)
    {
        Interlocked.Add(ref _writeBytesInFlight, command.Length); // held against the byte cap, as a write's value
        CommandCall call;
        using (_poolLock.EnterScope())
        {
            if (!_commands.TryPop(out call!))
            {
                call = new CommandCall();
            }
        }
        call.Start(this, sequence, opcode, command, slots, decided, resp3, filter);
    }

    /// <summary>A command call is done: its bytes no longer count against the byte cap, and the call is pooled.</summary>
    internal void Return(CommandCall call, int commandLength)
    {
        Interlocked.Add(ref _writeBytesInFlight, -commandLength);
        using (_poolLock.EnterScope())
        {
            _commands.Push(call);
        }
    }

    // Calls are pooled per session (requests in flight are bounded by MaxOutstandingPerClient), so a request
    // allocates nothing once the pool has warmed up. They come back on whichever thread completed them, and
    // Housekeep trims the pools to twice the last second's depth (never below MinPooledCalls).
    private const int MinPooledCalls = 16;
    private readonly Lock _poolLock = new();
    private readonly Stack<ReadCall> _reads = new();
    private readonly Stack<WriteCall> _writes = new();
    private readonly Stack<CommandCall> _commands = new();

    private ReadCall RentRead()
    {
        using (_poolLock.EnterScope())
        {
            if (_reads.TryPop(out ReadCall? call)) return call;
        }
        return new ReadCall();
    }

    private WriteCall RentWrite()
    {
        using (_poolLock.EnterScope())
        {
            if (_writes.TryPop(out WriteCall? call)) return call;
        }
        return new WriteCall();
    }

    internal void Return(ReadCall call)
    {
        using (_poolLock.EnterScope())
        {
            _reads.Push(call);
        }
    }

    /// <summary>A write call is done: its value no longer counts against the byte cap, and the call is pooled.</summary>
    internal void Return(WriteCall call, int valueLength)
    {
        Interlocked.Add(ref _writeBytesInFlight, -valueLength);
        using (_poolLock.EnterScope())
        {
            _writes.Push(call);
        }
    }
}
