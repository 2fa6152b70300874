using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// Records the operations of many concurrent clients into a <see cref="History"/>. Thread-safe: any number of
/// clients may begin and complete operations at once. Every timestamp comes from one monotonic clock
/// (<see cref="Stopwatch.GetTimestamp"/> unless a test supplies a simulated one): the invocation time is taken
/// when an operation begins (call Begin* just before sending the request) and the response time when it is
/// completed (call the completion method just after the answer arrives), so the recorded interval always
/// contains the moment the cache really acted.
/// </summary>
/// <example>
/// <code>
/// var recorder = new HistoryRecorder();
/// // on each client thread/task:
/// using (PendingOperation op = recorder.BeginSet(clientId, "k", "v1"))
/// {
///     try { await client.SetAsync("k", "v1"); op.Acknowledged(); }
///     catch (UnavailableException) { op.Unavailable(); }
/// }   // any other exception: disposed while open = Failed = unknown outcome
/// // afterwards:
/// LinearizabilityResult result = LinearizabilityChecker.Check(recorder.ToHistory());
/// Assert.True(result.IsLinearizable, result.Explanation);
/// </code>
/// </example>
public sealed class HistoryRecorder
{
    private readonly Lock _gate = new();
    private readonly List<PendingOperation> _operations = [];
    private readonly Func<long> _clock;
    private readonly long? _ticksPerSecond;

    /// <summary>A recorder on <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public HistoryRecorder()
        : this(Stopwatch.GetTimestamp, Stopwatch.Frequency)
    {
    }

    /// <summary>A recorder on a test's own clock, which must never go backwards.</summary>
    /// <param name="clock">Read under the recorder's lock, so it must be cheap and must not block.</param>
    /// <param name="ticksPerSecond">Its rate, for explanations; null when its units are abstract.</param>
    public HistoryRecorder(Func<long> clock, long? ticksPerSecond = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _ticksPerSecond = ticksPerSecond;
    }

    /// <summary>Operations begun so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _operations.Count;
            }
        }
    }

    /// <summary>A client is about to set <paramref name="key"/> to <paramref name="value"/>.</summary>
    public PendingOperation BeginSet(int clientId, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Begin(clientId, OperationKind.Set, key, value);
    }

    /// <summary>A client is about to read <paramref name="key"/>.</summary>
    public PendingOperation BeginGet(int clientId, string key) => Begin(clientId, OperationKind.Get, key, null);

    /// <summary>A client is about to delete <paramref name="key"/>.</summary>
    public PendingOperation BeginDelete(int clientId, string key) => Begin(clientId, OperationKind.Delete, key, null);

    /// <summary>A client is about to add <paramref name="delta"/> to <paramref name="key"/>.</summary>
    public PendingOperation BeginIncrement(int clientId, string key, long delta) =>
        Begin(clientId, OperationKind.Increment, key, delta.ToString(CultureInfo.InvariantCulture));

    /// <summary>A client is about to give <paramref name="key"/> <paramref name="seconds"/> to live and record whether it existed (<see cref="PendingOperation.Existed"/>).</summary>
    public PendingOperation BeginExpire(int clientId, string key, long seconds) =>
        Begin(clientId, OperationKind.Expire, key, seconds.ToString(CultureInfo.InvariantCulture));

    /// <summary>A client is about to delete <paramref name="key"/> and record the count it answers (<see cref="PendingOperation.Deleted"/>).</summary>
    public PendingOperation BeginCountedDelete(int clientId, string key) => Begin(clientId, OperationKind.CountedDelete, key, null);

    /// <summary>A client is about to set <paramref name="key"/> to <paramref name="value"/> only if it is missing (SET NX, SETNX).</summary>
    public PendingOperation BeginSetIfAbsent(int clientId, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Begin(clientId, OperationKind.SetIfAbsent, key, value);
    }

    /// <summary>A client is about to set <paramref name="key"/> to <paramref name="value"/> and read the value before (GETSET, SET … GET).</summary>
    public PendingOperation BeginGetSet(int clientId, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Begin(clientId, OperationKind.GetSet, key, value);
    }

    /// <summary>A client is about to append <paramref name="suffix"/> to <paramref name="key"/>.</summary>
    public PendingOperation BeginAppend(int clientId, string key, string suffix)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        return Begin(clientId, OperationKind.Append, key, suffix);
    }

    /// <summary>A client is about to add the float <paramref name="delta"/> (the text it sends) to <paramref name="key"/>.</summary>
    public PendingOperation BeginIncrementByFloat(int clientId, string key, string delta)
    {
        ArgumentException.ThrowIfNullOrEmpty(delta);
        return Begin(clientId, OperationKind.IncrementByFloat, key, delta);
    }

    /// <summary>A client is about to read and delete <paramref name="key"/> (GETDEL).</summary>
    public PendingOperation BeginGetDelete(int clientId, string key) => Begin(clientId, OperationKind.GetDelete, key, null);

    /// <summary>A client is about to rename <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public PendingOperation BeginRename(int clientId, string source, string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Begin(clientId, OperationKind.Rename, source, destination);
    }

    /// <summary>
    /// The history so far, in invocation order. Completed operations keep their answers; failed ones and
    /// ones still open (a client stuck in a call when the test stopped) become writes of unknown outcome or,
    /// for reads, are dropped (counted in <see cref="History.DroppedReads"/>); refused ones took no effect and are
    /// left out (reads counted as dropped).
    /// </summary>
    public History ToHistory()
    {
        lock (_gate)
        {
            var operations = new List<Operation>(_operations.Count);
            int droppedReads = 0;
            foreach (PendingOperation p in _operations)
            {
                if (p.State == PendingState.Completed)
                {
                    operations.Add(new Operation(p.ClientId, p.Kind, p.Key, p.Input, p.Output, p.Call, p.Return));
                }
                else if (p.Kind == OperationKind.Get)
                {
                    droppedReads++;
                }
                else if (p.State != PendingState.Refused)
                {
                    operations.Add(new Operation(p.ClientId, p.Kind, p.Key, p.Input, null, p.Call, Operation.Never));
                }
            }
            return new History(operations, _ticksPerSecond, droppedReads);
        }
    }

    internal void Complete(PendingOperation operation, string? output)
    {
        long now = _clock();
        lock (_gate)
        {
            Close(operation, PendingState.Completed);
            operation.Output = output;
            operation.Return = Math.Max(now, operation.Call);
        }
    }

    internal void Fail(PendingOperation operation)
    {
        lock (_gate)
        {
            Close(operation, PendingState.Failed);
        }
    }

    internal void Refuse(PendingOperation operation)
    {
        lock (_gate)
        {
            Close(operation, PendingState.Refused);
        }
    }

    private PendingOperation Begin(int clientId, OperationKind kind, string key, string? input)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            // Read under the lock so the list stays in invocation order.
            var operation = new PendingOperation(this, clientId, kind, key, input, _clock());
            _operations.Add(operation);
            return operation;
        }
    }

    private static void Close(PendingOperation operation, PendingState state)
    {
        if (!operation.IsOpen)
        {
            throw new InvalidOperationException($"{operation} was already recorded as {operation.State}.");
        }
        operation.State = state;
    }
}
