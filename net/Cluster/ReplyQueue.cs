namespace EchoCache.Net.Cluster;

/// <summary>
/// A client's requests in arrival order, each completed whenever its workers answer (any thread, any order) and
/// handed to the connection strictly in order: RESP has no request ids, so replies must keep the request order.
/// </summary>
internal sealed class ReplyQueue
{
    private readonly Lock _lock = new();
    private ReplyEntry[] _entries = CreateEntries(64);
    private long _head;
    private long _tail;

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

    /// <summary>Appends an entry for a new request and returns its sequence number; <paramref name="entry"/> may be filled in.</summary>
    public long Reserve(out ReplyEntry entry)
    {
        using (_lock.EnterScope())
        {
            if (_tail - _head == _entries.Length)
            {
                var grown = new ReplyEntry[_entries.Length * 2];
                for (long s = _head; s < _tail; s++)
                {
                    grown[s % grown.Length] = _entries[s % _entries.Length];
                }
                for (int i = 0; i < grown.Length; i++)
                {
                    grown[i] ??= new ReplyEntry();
                }
                _entries = grown;
            }
            entry = _entries[_tail % _entries.Length];
            entry.Done = false;
            entry.Length = 0;
            entry.Key = null;
            entry.More = false;
            return _tail++;
        }
    }

    /// <summary>Writes the reply of request <paramref name="sequence"/> through <paramref name="format"/> and marks it done.</summary>
    public void Complete<TFormat>(long sequence, ref TFormat format)
        where TFormat : IReplyFormat, allows ref struct
    {
        using (_lock.EnterScope())
        {
            ReplyEntry entry = _entries[sequence % _entries.Length];
            int size = format.MaxSize(entry);
            if (entry.Buffer.Length < size)
            {
                entry.Buffer = new byte[Math.Max(size, 64)];
            }
            entry.Length = format.Write(entry, entry.Buffer);
            entry.Done = true;
        }
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
                if (entry.Buffer.Length > 64 * 1024)
                {
                    entry.Buffer = []; // a large value's buffer is not kept
                }
                _head++;
            }
        }
    }

    private static ReplyEntry[] CreateEntries(int count)
    {
        var entries = new ReplyEntry[count];
        for (int i = 0; i < count; i++) entries[i] = new ReplyEntry();
        return entries;
    }
}
