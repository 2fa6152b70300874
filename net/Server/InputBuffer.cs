namespace EchoCache.Net.Server;

/// <summary>
/// The bytes a connection has received and not yet consumed: one pooled pinned array, with a partial request
/// moved to the front when the end is reached, grown (a larger pooled array) when one request fills it, up to
/// the request cap, and given back for an idle-size one as soon as it is empty again (rented at the first read, not
/// before), so a spike holds no memory for long and a connection whose bursts keep outgrowing it allocates nothing (the pool keeps both).
/// Used by one receive loop at a time; not thread-safe.
/// </summary>
internal sealed class InputBuffer(PinnedBufferPool pool, int maxRequestSize)
{
    // No array until the first read: a connection that never sends (one of ten thousand idle ones, or one past the
    // limit) holds none.
    private byte[] _bytes = [];
    private int _start;
    private int _end;
    private long _consumed;

    /// <summary>Bytes consumed since the connection opened: requests complete (the idle timeout's measure of progress).</summary>
    public long Consumed => _consumed;

    /// <summary>Received bytes not yet consumed.</summary>
    public Span<byte> Unconsumed => _bytes.AsSpan(_start, _end - _start);

    /// <summary>Whether every received byte was consumed.</summary>
    public bool IsEmpty => _start == _end;

    /// <summary>The array to receive into, at <see cref="FreeOffset"/> for <see cref="FreeLength"/> bytes.</summary>
    public byte[] Array => _bytes;

    /// <summary>Where received bytes go next.</summary>
    public int FreeOffset => _end;

    /// <summary>Room left after <see cref="FreeOffset"/>.</summary>
    public int FreeLength => _bytes.Length - _end;

    /// <summary>Records <paramref name="count"/> bytes received at <see cref="FreeOffset"/>.</summary>
    public void Commit(int count) => _end += count;

    /// <summary>Marks <paramref name="count"/> bytes at the start as consumed.</summary>
    public void Consume(int count)
    {
        _start += count;
        _consumed += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>
    /// Leaves free space at the end: shrinks back to a pooled array when empty, moves a partial request to the
    /// front, or grows when one request fills the array. False when a request would exceed the cap.
    /// </summary>
    public bool MakeRoom()
    {
        if (_start == _end && _bytes.Length > pool.BufferSize)
        {
            pool.Return(_bytes);
            _bytes = pool.Rent();
            _start = _end = 0;
            return true;
        }
        if (_end < _bytes.Length)
        {
            return true;
        }
        int pending = _end - _start;
        byte[] target = _bytes;
        if (_start == 0)
        {
            if (_bytes.Length >= maxRequestSize)
            {
                return false;
            }
            target = pool.Rent(Math.Min(_bytes.Length * 2, maxRequestSize));
        }
        _bytes.AsSpan(_start, pending).CopyTo(target);
        if (!ReferenceEquals(target, _bytes))
        {
            pool.Return(_bytes);
        }
        _bytes = target;
        _start = 0;
        _end = pending;
        return true;
    }

    /// <summary>
    /// Gives the array back to the pool while nothing is buffered (an idle connection); the next
    /// <see cref="MakeRoom"/> rents one again.
    /// </summary>
    public void Trim()
    {
        if (IsEmpty)
        {
            Release();
        }
    }

    /// <summary>Gives the array back to the pool; only once no receive can write into it any more.</summary>
    public void Release()
    {
        pool.Return(_bytes);
        _bytes = [];
        _start = _end = 0;
    }
}
