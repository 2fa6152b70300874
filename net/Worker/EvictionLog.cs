using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// A worker's recent evictions, numbered from 1, for the orchestrator (docs/consistency.md, "Eviction"). The engine
/// adds one entry per evicted item, under the shard's lock (<see cref="IEvictionObserver"/>); each binary session of
/// an orchestrator's connection keeps a cursor into the log and, before the reply to each request it runs, writes
/// every entry past its cursor as an EVICTED frame (<see cref="WriteNotices"/>). The orchestrator acknowledges the
/// notices it has handled (the version of its HEALTH requests, <see cref="Acknowledge"/>), and a connection that has
/// not written those yet skips them. Bounded: the oldest entries are overwritten; a connection whose cursor they were
/// past is told that notices were lost. Thread-safe; nothing is allocated after construction.
/// </summary>
/// <remarks>
/// Entries lie back to back in a ring of bytes, wrapping at its end; entry n starts at absolute byte position
/// <c>positions[n mod entries]</c> (absolute: counted from the first byte ever written, never wrapped). Entry n can
/// still be read while n is among the last <c>entries</c> entries and its start is among the last <c>bytes</c>
/// bytes written. One entry:
/// <code>
/// [0..8)  version     u64 LE  the evicted item's version
/// [8]     key length  u8      1..250
/// [9..)   key         the evicted key
/// </code>
/// </remarks>
public sealed class EvictionLog : IEvictionObserver
{
    /// <summary>
    /// Default size of the ring of entries, in bytes: the default entries at 24 bytes each (a 15-byte key). Longer keys
    /// belong to larger items, fewer to a page.
    /// </summary>
    public const int DefaultBytes = 3 << 20;

    /// <summary>
    /// Default number of entries the log can index: three slab pages of the smallest items (43,690 each: a page
    /// changing hands evicts them all at once), or more than half a second of evictions at 200,000 a second (a flood
    /// of tiny values), while the orchestrator acknowledges every 100 ms.
    /// </summary>
    public const int DefaultEntries = 1 << 17;

    private const int EntryHeaderSize = 9;

    private readonly Lock _lock = new();
    private readonly byte[] _ring;
    private readonly long[] _positions;
    // Under _lock: the absolute position the next entry starts at.
    private long _write;
    // The number of the last entry (0: none yet). Written under _lock, read without it.
    private long _last;
    // Every notice up to this one has been handled by the orchestrator. Written under _lock; never above _last.
    private long _acknowledged;
    // Whether an orchestrator's connection has started reading notices (StartCursor).
    private volatile bool _readers;

    /// <summary>A log of at most <paramref name="entries"/> entries in <paramref name="bytes"/> bytes.</summary>
    public EvictionLog(int bytes = DefaultBytes, int entries = DefaultEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 4 * (EntryHeaderSize + BinaryProtocol.MaxKeyLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 2);
        _ring = new byte[bytes];
        _positions = new long[entries];
    }

    /// <inheritdoc />
    /// <remarks>
    /// Room means the entries not yet acknowledged by the orchestrator, these, and as many again (evictions made to
    /// store items meanwhile) fit in the log: a connection that carries notices only now and then (the health checks'
    /// link) can then still read every one it owes. Before any orchestrator has connected, there is nobody to lose a
    /// notice: always.
    /// </remarks>
    public bool HasRoomFor(int evictions) =>
        !_readers || Volatile.Read(ref _last) - Volatile.Read(ref _acknowledged) + (2L * evictions) <= _positions.Length;

    /// <summary>The number of the last entry (0 before any eviction).</summary>
    public long Last => Volatile.Read(ref _last);

    /// <summary>Every notice up to this number has been handled by the orchestrator (<see cref="Acknowledge"/>).</summary>
    public long Acknowledged => Volatile.Read(ref _acknowledged);

    /// <inheritdoc />
    public void OnEvicted(ReadOnlySpan<byte> key, ulong version)
    {
        Span<byte> header = stackalloc byte[EntryHeaderSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(header, version);
        header[8] = (byte)key.Length;
        using (_lock.EnterScope())
        {
            long number = _last + 1;
            _positions[number % _positions.Length] = _write;
            Put(header);
            Put(key);
            Volatile.Write(ref _last, number);
        }
    }

    /// <summary>
    /// The orchestrator says it has handled every notice up to <paramref name="number"/> (a HEALTH request's version):
    /// connections that have not written those yet need not. Numbers from another log (a worker that restarted under
    /// the same orchestrator) are clamped to this one's last entry.
    /// </summary>
    public void Acknowledge(ulong number)
    {
        if (number == 0)
        {
            return;
        }
        using (_lock.EnterScope())
        {
            long clamped = (long)Math.Min(number, (ulong)_last);
            if (clamped > _acknowledged)
            {
                Volatile.Write(ref _acknowledged, clamped);
            }
        }
    }

    /// <summary>
    /// Where a connection that has just proved to be an orchestrator's starts: after the last acknowledged notice, so
    /// notices the orchestrator may not have handled (a new orchestrator's, or a link opened again) go out on it too;
    /// but never before the oldest entry still held. What is older is gone for any connection, and a connection that
    /// has answered nothing yet owes no notice for it: it starts without reporting a loss.
    /// </summary>
    internal long StartCursor()
    {
        _readers = true;
        using (_lock.EnterScope())
        {
            long cursor = _acknowledged;
            while (cursor < _last && !Holds(cursor + 1))
            {
                cursor = Math.Max(cursor + 1, _last - _positions.Length);
            }
            return cursor;
        }
    }

    /// <summary>Whether entry <paramref name="number"/> (at most the last) can still be read; under the lock.</summary>
    private bool Holds(long number) =>
        number > _last - _positions.Length && _positions[number % _positions.Length] >= _write - _ring.Length;

    /// <summary>
    /// Writes an EVICTED frame to <paramref name="output"/> for every entry after <paramref name="cursor"/>, and moves
    /// the cursor to the last one. False when the entry after the cursor was overwritten already: one EVICTED frame
    /// with status SERVER_ERROR then says notices were lost, and the cursor moves to the last entry.
    /// </summary>
    internal bool WriteNotices(ref long cursor, OutputBuffer output)
    {
        Span<byte> key = stackalloc byte[BinaryProtocol.MaxKeyLength];
        using (_lock.EnterScope())
        {
            long first = cursor + 1;
            cursor = _last;
            if (first > _last)
            {
                return true;
            }
            if (!Holds(first))
            {
                Write(output, new BinaryFrameHeader
                {
                    Opcode = BinaryOpcode.Evicted,
                    Status = BinaryStatus.ServerError,
                    RequestId = (ulong)_last,
                }, default, "eviction notices were lost"u8);
                return false;
            }
            // Entries after a readable one are readable: they start later.
            Span<byte> header = stackalloc byte[EntryHeaderSize];
            for (long number = first; number <= _last; number++)
            {
                long at = _positions[number % _positions.Length];
                Get(at, header);
                int keyLength = header[8];
                Get(at + EntryHeaderSize, key[..keyLength]);
                Write(output, new BinaryFrameHeader
                {
                    Opcode = BinaryOpcode.Evicted,
                    RequestId = (ulong)number,
                    Version = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(header),
                }, key[..keyLength], default);
            }
            return true;
        }
    }

    private static void Write(OutputBuffer output, in BinaryFrameHeader header, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int size = BinaryProtocol.HeaderSize + key.Length + value.Length;
        BinaryCodec.TryWriteReply(header, key, value, output.GetSpan(size), out int written);
        output.Advance(written);
    }

    /// <summary>Appends bytes at the write position, wrapping at the ring's end; under the lock.</summary>
    private void Put(ReadOnlySpan<byte> bytes)
    {
        int offset = (int)(_write % _ring.Length);
        int first = Math.Min(bytes.Length, _ring.Length - offset);
        bytes[..first].CopyTo(_ring.AsSpan(offset));
        bytes[first..].CopyTo(_ring);
        _write += bytes.Length;
    }

    /// <summary>Reads bytes from absolute position <paramref name="at"/>, wrapping at the ring's end; under the lock.</summary>
    private void Get(long at, Span<byte> destination)
    {
        int offset = (int)(at % _ring.Length);
        int first = Math.Min(destination.Length, _ring.Length - offset);
        _ring.AsSpan(offset, first).CopyTo(destination);
        _ring.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }
}
