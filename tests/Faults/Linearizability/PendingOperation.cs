using System.Globalization;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// An operation a client has invoked and not yet finished recording. Call exactly one completion method
/// right after the answer arrives (the response time is taken first thing in it); disposing one still open
/// records it as <see cref="Failed"/>, so an exception thrown by the client call cannot lose it:
/// <code>
/// using PendingOperation op = recorder.BeginGet(clientId, key);
/// string? value = await client.GetAsync(key);   // throws on timeout: op is failed on dispose
/// op.Read(value);
/// </code>
/// </summary>
public sealed class PendingOperation : IDisposable
{
    private readonly HistoryRecorder _recorder;

    internal PendingOperation(HistoryRecorder recorder, int clientId, OperationKind kind, string key, string? input, long call)
    {
        _recorder = recorder;
        ClientId = clientId;
        Kind = kind;
        Key = key;
        Input = input;
        Call = call;
    }

    /// <summary>The client that issued it.</summary>
    public int ClientId { get; }

    /// <summary>What it does.</summary>
    public OperationKind Kind { get; }

    /// <summary>The key it touches.</summary>
    public string Key { get; }

    /// <summary>The operation's input (<see cref="Operation.Input"/>): the value written, a delta, a suffix, a rename's destination.</summary>
    public string? Input { get; }

    /// <summary>Its invocation time.</summary>
    public long Call { get; }

    /// <summary>Still waiting for one of the completion methods.</summary>
    public bool IsOpen => State == PendingState.Open;

    internal PendingState State { get; set; }

    internal string? Output { get; set; }

    internal long Return { get; set; }

    /// <summary>The cache acknowledged a set or a delete (a plain delete's count is not checked: see <see cref="Operation"/>).</summary>
    public void Acknowledged()
    {
        Expect(OperationKind.Set, OperationKind.Delete);
        _recorder.Complete(this, output: null);
    }

    /// <summary>The cache answered a get, getset or getdel: <paramref name="value"/> (for getset and getdel the value before), or null when the key was missing.</summary>
    public void Read(string? value)
    {
        Expect(OperationKind.Get, OperationKind.GetSet, OperationKind.GetDelete);
        _recorder.Complete(this, value);
    }

    /// <summary>The cache answered an increment with the value after it.</summary>
    public void Incremented(long value)
    {
        Expect(OperationKind.Increment);
        _recorder.Complete(this, value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The cache answered a float increment with the value after it, as it sent it.</summary>
    public void IncrementedTo(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Expect(OperationKind.IncrementByFloat);
        _recorder.Complete(this, value);
    }

    /// <summary>The cache answered a set-if-absent: whether it stored the value (SETNX 1, SET NX +OK) or not (0, nil).</summary>
    public void Stored(bool stored)
    {
        Expect(OperationKind.SetIfAbsent);
        _recorder.Complete(this, stored ? "1" : "0");
    }

    /// <summary>The cache answered a counted delete of one key with <paramref name="count"/>, 1 or 0.</summary>
    public void Deleted(long count)
    {
        if (count is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "DEL of one key counts 0 or 1.");
        }
        Expect(OperationKind.CountedDelete);
        _recorder.Complete(this, count == 1 ? "1" : "0");
    }

    /// <summary>The cache answered an expire: whether the key existed (EXPIRE 1, TOUCH OK) or not (0, NOT_FOUND).</summary>
    public void Existed(bool existed)
    {
        Expect(OperationKind.Expire);
        _recorder.Complete(this, existed ? "1" : "0");
    }

    /// <summary>The cache answered an append with the new length.</summary>
    public void Appended(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Expect(OperationKind.Append);
        _recorder.Complete(this, length.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The cache answered a rename with OK.</summary>
    public void Renamed()
    {
        Expect(OperationKind.Rename);
        _recorder.Complete(this, Operation.Renamed);
    }

    /// <summary>
    /// The cache refused the command with an error that says it changed nothing, because of what the key holds:
    /// an increment of a value that is not an integer (or that would overflow), a float increment of a value that
    /// is not a float (or to an infinite sum), a rename of a missing key ("no such key"). A known outcome, checked
    /// like any answer. Any other error is <see cref="Failed"/>.
    /// </summary>
    public void Rejected()
    {
        Expect(OperationKind.Increment, OperationKind.IncrementByFloat, OperationKind.Rename);
        _recorder.Complete(this, Operation.Rejected);
    }

    /// <summary>
    /// The call failed: a timeout, a broken connection, an error reply. A write's outcome becomes unknown (it
    /// may have taken effect, at any time after its invocation, or not at all); a read is dropped.
    /// </summary>
    public void Failed() => _recorder.Fail(this);

    /// <summary>
    /// The cache answered "unavailable". Treated exactly like <see cref="Failed"/>, on purpose: a read is
    /// dropped, but a write is NOT assumed to have had no effect. The orchestrator writes both copies of a
    /// key; if it gives up after one copy took the value (the partner died mid-write, or the reply was lost
    /// on the way), that copy may keep it and serve it later. Calling such a write "not applied" would turn
    /// that legal outcome into a false alarm, while calling it "unknown" only costs a little detection power.
    /// </summary>
    public void Unavailable() => _recorder.Fail(this);

    /// <summary>
    /// The cache refused the call before sending it to any copy (the orchestrator's "no live replica holds this
    /// key": no copy of the key's pair was up): it took no effect, and is left out of the history. Only for an
    /// answer that says so; "unavailable" after the write was sent is <see cref="Unavailable"/>.
    /// </summary>
    public void Refused() => _recorder.Refuse(this);

    /// <summary>Records the operation as <see cref="Failed"/> unless it was completed.</summary>
    public void Dispose()
    {
        if (IsOpen)
        {
            _recorder.Fail(this);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"client {ClientId} {Kind} \"{Key}\" invoked at {Call} ({State})";

    private void Expect(params OperationKind[] kinds)
    {
        if (!kinds.Contains(Kind))
        {
            throw new InvalidOperationException($"{this} cannot be completed that way: it is a {Kind}.");
        }
    }
}
