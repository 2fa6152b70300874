using System.Buffers;

namespace EchoCache.Net.Server;

/// <summary>
/// Replies waiting to be sent on one connection: a pinned array that grows (a larger one from the pool) when the
/// replies need it and shrinks back once drained, so a spike of large values does not hold memory for the
/// connection's lifetime, and a connection whose bursts keep outgrowing it allocates nothing (the pool keeps both).
/// </summary>
public sealed class OutputBuffer : IBufferWriter<byte>
{
    private readonly PinnedBufferPool _pool;
    private readonly int _highWater;
    private byte[] _buffer;
    private int _written;
    private int _sent;
    private long _sentTotal;

    /// <summary>Creates a buffer of <paramref name="initialSize"/> bytes, full at <paramref name="highWater"/> bytes.</summary>
    public OutputBuffer(int initialSize = 16 * 1024, int highWater = 256 * 1024)
        : this(new PinnedBufferPool(initialSize), highWater)
    {
    }

    /// <summary>Creates a buffer that rents its idle-size array from <paramref name="pool"/> when first written to.</summary>
    public OutputBuffer(PinnedBufferPool pool, int highWater)
    {
        _pool = pool;
        _highWater = highWater;
        _buffer = []; // a connection that is never answered (an idle one) holds no array
    }

    /// <summary>Bytes written and not yet sent.</summary>
    public int Pending => _written - _sent;

    /// <summary>Whether a handler should stop executing requests until this buffer drains.</summary>
    public bool IsFull => _written >= _highWater;

    /// <summary>Bytes written since the buffer last drained.</summary>
    public int Written => _written;

    internal byte[] Bytes => _buffer;
    internal int SentOffset => _sent;

    /// <summary>Bytes sent since the buffer was made (the idle timeout's measure of progress).</summary>
    internal long Sent => _sentTotal;

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Appends bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    internal void MarkSent(int count)
    {
        _sent += count;
        _sentTotal += count;
        if (_sent == _written)
        {
            _sent = _written = 0;
            if (_buffer.Length > _pool.BufferSize)
            {
                _pool.Return(_buffer);
                _buffer = _pool.Rent();
            }
        }
    }

    /// <summary>
    /// Gives the array back to the pool while nothing waits to be sent (an idle connection); the next write rents
    /// one again.
    /// </summary>
    internal void Trim()
    {
        if (Pending == 0)
        {
            Release();
        }
    }

    /// <summary>Gives the array back to the pool (the next write, if any, rents one again).</summary>
    internal void Release()
    {
        _pool.Return(_buffer);
        _buffer = [];
        _written = _sent = 0;
    }

    private void Ensure(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= need)
        {
            return;
        }
        int pending = _written - _sent;
        long size = Math.Max(_buffer.Length, _pool.BufferSize); // a trimmed buffer has none
        while (size - pending < need) size *= 2;
        if (size > Array.MaxLength) throw new InvalidOperationException("A reply does not fit in one output buffer.");
        if (size == _buffer.Length)
        {
            _buffer.AsSpan(_sent, pending).CopyTo(_buffer); // room enough once the sent bytes are dropped
        }
        else
        {
            byte[] grown = _pool.Rent((int)size);
            _buffer.AsSpan(_sent, pending).CopyTo(grown);
            _pool.Return(_buffer);
            _buffer = grown;
        }
        _sent = 0;
        _written = pending;
    }
}
