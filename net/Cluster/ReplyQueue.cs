using System.Numerics;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A client's requests in arrival order, each completed whenever its workers answer (any thread, any order) and
/// handed to the connection strictly in order: RESP has no request ids, so replies must keep the request order.
/// </summary>
/// <remarks>
/// Memory: the ring grows (doubling) while a client pipelines deeper than it holds, and <see cref="Housekeep"/> gives
/// back what a past burst left. Each entry keeps its reply buffer for the next request, up to 64 KiB each and
/// 1 MiB for the whole ring; past that, a buffer is dropped once its reply is taken.
/// </remarks>
internal sealed class ReplyQueue
{
    /// <summary>Entries a ring starts with, and the fewest it shrinks back to.</summary>
    internal const int InitialEntries = 64;

    /// <summary>Largest reply buffer an entry keeps for its next reply.</summary>
    internal const int MaxKeptEntryBuffer = 64 * 1024;

    /// <summary>Most bytes the entries' buffers keep in all.</summary>
    internal const int MaxKeptBytes = 1 << 20;

    private readonly Lock _lock = new();
    private ReplyEntry[] _entries = CreateEntries(InitialEntries);
    private long _head;
    private long _tail;
    private long _keptBytes; // the entries' buffer lengths, summed
    private long _queuedBytes; // replies written and not yet taken
    private int _peak; // most entries outstanding at once since the last Housekeep

    /// <summary>Requests waiting for their reply, or whose reply is not sent yet.</summary>
    public int Outstanding
    {
        get
        {
            using (_lock.EnterScope())
            {
                return (int)(_tail - _head);
            }
        }
    }

    /// <summary>
    /// Whether fewer than <paramref name="maxOutstanding"/> requests are outstanding and fewer than
    /// <paramref name="maxQueuedBytes"/> bytes of replies wait to be taken (one read of both, under the lock).
    /// </summary>
    public bool HasRoom(int maxOutstanding, long maxQueuedBytes)
    {
        using (_lock.EnterScope())
        {
            return _tail - _head < maxOutstanding && _queuedBytes < maxQueuedBytes;
        }
    }

    /// <summary>Bytes of replies written and not yet taken by the connection (test and diagnostics).</summary>
    internal long QueuedBytes
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>Requests reserved since the queue began: how many the client has had taken (test and diagnostics).</summary>
    internal long Reserved
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _tail;
            }
        }
    }

    /// <summary>Requests still waiting for their workers' answer (test and diagnostics; counts by scanning the ring).</summary>
    internal int Unanswered
    {
        get
        {
            using (_lock.EnterScope())
            {
                int waiting = 0;
                for (long s = _head; s < _tail; s++)
                {
                    if (!_entries[s % _entries.Length].Done) waiting++;
                }
                return waiting;
            }
        }
    }

    /// <summary>Entries the ring holds now (test and diagnostics).</summary>
    internal int Capacity
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _entries.Length;
            }
        }
    }

    /// <summary>Bytes the entries' reply buffers hold now (test and diagnostics).</summary>
    internal long KeptBytes
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _keptBytes;
            }
        }
    }

    /// <summary>Appends an entry for a new request and returns its sequence number; <paramref name="entry"/> may be filled in.</summary>
    public long Reserve(out ReplyEntry entry)
    {
        using (_lock.EnterScope())
        {
            return ReserveLocked(out entry);
        }
    }

    /// <summary>
    /// Reserves the head of a group: one reply for a command that makes several calls (a multi-key DEL, MSET). The
    /// members, reserved after it (<see cref="ReserveMember"/>), write nothing of their own; each folds its outcome
    /// into the head (<see cref="IReplyFormat.Fold"/>), and the head's reply is written when the last member has
    /// completed and the group is sealed (<see cref="SealGroup"/>), whichever comes last.
    /// </summary>
    public long ReserveGroup(out ReplyEntry head)
    {
        using (_lock.EnterScope())
        {
            long sequence = ReserveLocked(out head);
            head.GroupPending = 1; // held until SealGroup, so members completing during dispatch cannot finish the group
            head.GroupSum = 0;
            head.GroupFailure = Protocol.BinaryStatus.Ok;
            head.GroupError = null;
            head.GroupLength = 0;
            return sequence;
        }
    }

    /// <summary>Sets what a group's head starts from (RANDOMKEY's null, kept when no member finds a key).</summary>
    public void Prime(long head, ReadOnlySpan<byte> bytes)
    {
        using (_lock.EnterScope())
        {
            ReplyEntry entry = _entries[head % _entries.Length];
            if (entry.GroupBytes.Length < bytes.Length)
            {
                entry.GroupBytes = new byte[Math.Max(bytes.Length, 64)];
            }
            bytes.CopyTo(entry.GroupBytes);
            entry.GroupLength = bytes.Length;
        }
    }

    /// <summary>Reserves a member of the group whose head is <paramref name="head"/>.</summary>
    public long ReserveMember(long head)
    {
        using (_lock.EnterScope())
        {
            long sequence = ReserveLocked(out ReplyEntry entry);
            entry.GroupHead = head;
            _entries[head % _entries.Length].GroupPending++;
            return sequence;
        }
    }

    /// <summary>Every member of the group is reserved: the head's reply is written once they have all completed.</summary>
    public void SealGroup<TFormat>(long head, ref TFormat format)
        where TFormat : IReplyFormat, allows ref struct
    {
        using (_lock.EnterScope())
        {
            ReplyEntry entry = _entries[head % _entries.Length];
            if (--entry.GroupPending == 0)
            {
                Write(entry, ref format);
            }
        }
    }

    /// <summary>Writes the reply of request <paramref name="sequence"/> through <paramref name="format"/> and marks it done.</summary>
    public void Complete<TFormat>(long sequence, ref TFormat format)
        where TFormat : IReplyFormat, allows ref struct
    {
        using (_lock.EnterScope())
        {
            ReplyEntry entry = _entries[sequence % _entries.Length];
            if (entry.GroupHead >= 0)
            {
                // A member: its outcome goes into the head; the member itself leaves no bytes.
                ReplyEntry head = _entries[entry.GroupHead % _entries.Length];
                format.Fold(head);
                entry.Length = 0;
                entry.Done = true;
                if (--head.GroupPending != 0)
                {
                    return;
                }
                entry = head; // the last one in writes the group's reply, from what the head gathered
            }
            Write(entry, ref format);
        }
    }

    /// <summary>Appends an entry, growing the ring when it is full; under the lock.</summary>
    private long ReserveLocked(out ReplyEntry entry)
    {
        if (_tail - _head == _entries.Length)
        {
            Resize(_entries.Length * 2);
        }
        entry = _entries[_tail % _entries.Length];
        entry.Done = false;
        entry.Length = 0;
        entry.Kind = 0;
        entry.ClearKey();
        entry.More = false;
        entry.GroupHead = -1;
        _tail++;
        _peak = Math.Max(_peak, (int)(_tail - _head));
        return _tail - 1;
    }

    /// <summary>Formats <paramref name="entry"/>'s reply into its buffer, growing it if needed; under the lock.</summary>
    private void Write<TFormat>(ReplyEntry entry, ref TFormat format)
        where TFormat : IReplyFormat, allows ref struct
    {
        int size = format.MaxSize(entry);
        if (entry.Buffer.Length < size)
        {
            int grown = Math.Max(size, 64);
            _keptBytes += grown - entry.Buffer.Length;
            entry.Buffer = new byte[grown];
        }
        entry.Length = format.Write(entry, entry.Buffer);
        entry.Done = true;
        _queuedBytes += entry.Length;
    }

    /// <summary>Moves the replies that are done, from the oldest on, into <paramref name="output"/>.</summary>
    public void TakeReady(Server.OutputBuffer output)
    {
        using (_lock.EnterScope())
        {
            while (_head < _tail)
            {
                ReplyEntry entry = _entries[_head % _entries.Length];
                if (!entry.Done)
                {
                    return;
                }
                output.Write(entry.Buffer.AsSpan(0, entry.Length));
                _queuedBytes -= entry.Length;
                if (entry.Buffer.Length > MaxKeptEntryBuffer || _keptBytes > MaxKeptBytes)
                {
                    _keptBytes -= entry.Buffer.Length; // a large value's buffer, or one past the ring's budget
                    entry.Buffer = [];
                }
                _head++;
            }
        }
    }

    /// <summary>
    /// Called about once a second: shrinks the ring when the period's deepest pipeline used a quarter of it or less,
    /// to twice that depth (at least <see cref="InitialEntries"/>), so a client that once pipelined thousands deep
    /// does not keep thousands of entries. Returns that deepest pipeline: what the session's call pools need.
    /// </summary>
    public int Housekeep()
    {
        using (_lock.EnterScope())
        {
            int outstanding = (int)(_tail - _head);
            int peak = Math.Max(_peak, outstanding);
            _peak = outstanding;
            if (_entries.Length > InitialEntries && peak <= _entries.Length / 4)
            {
                Resize(Math.Max(InitialEntries, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(peak, 1)) * 2));
            }
            return peak;
        }
    }

    /// <summary>
    /// A ring of <paramref name="size"/> entries (at least those outstanding), under the lock: the entries from the
    /// head on move over, the outstanding ones to their sequences' new places; a shrink drops the rest with their
    /// buffers, a growth adds fresh ones.
    /// </summary>
    private void Resize(int size)
    {
        var resized = new ReplyEntry[size];
        int moved = Math.Min(size, _entries.Length);
        for (long s = _head; s < _head + moved; s++)
        {
            resized[s % size] = _entries[s % _entries.Length];
        }
        for (long s = _head + moved; s < _head + _entries.Length; s++)
        {
            _keptBytes -= _entries[s % _entries.Length].Buffer.Length;
        }
        for (int i = 0; i < size; i++)
        {
            resized[i] ??= new ReplyEntry();
        }
        _entries = resized;
    }

    private static ReplyEntry[] CreateEntries(int count)
    {
        var entries = new ReplyEntry[count];
        for (int i = 0; i < count; i++) entries[i] = new ReplyEntry();
        return entries;
    }
}
