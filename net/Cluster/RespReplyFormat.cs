using System.Buffers.Binary;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>Writes a cluster call's outcome as the RESP reply its command expects.</summary>
internal readonly ref struct RespReplyFormat(in ClusterReply reply) : IReplyFormat
{
    private const int Overhead = 64;
    private readonly ClusterReply _reply = reply;

    // Only a bulk string or a literal carries the reply's value; every other shape (an integer, +OK, an error of
    // ours, a group's total) fits in the overhead, however large the value a worker sent back (EXISTS and TTL read it).
    public int MaxSize(ReplyEntry entry) =>
        (RespReplyKind)entry.Kind is RespReplyKind.Bulk or RespReplyKind.Literal ? _reply.Value.Length + Overhead : Overhead;

    public int Write(ReplyEntry entry, Span<byte> destination)
    {
        var kind = (RespReplyKind)entry.Kind;
        BinaryStatus status = _reply.Status;
        int written;
        if (kind == RespReplyKind.Literal)
        {
            _reply.Value.CopyTo(destination);
            return _reply.Value.Length;
        }
        if (kind is RespReplyKind.CountTotal or RespReplyKind.OkTotal)
        {
            // A group's head: written from what its members gathered, not from the last member's reply.
            if (entry.GroupFailure != BinaryStatus.Ok)
            {
                return WriteFailure(entry.GroupFailure, destination);
            }
            if (kind == RespReplyKind.OkTotal)
            {
                "+OK\r\n"u8.CopyTo(destination);
                return 5;
            }
            RespWriter.TryWriteInteger(entry.GroupSum, destination, out written);
            return written;
        }
        switch (status)
        {
            case BinaryStatus.Ok when kind == RespReplyKind.Bulk:
                RespWriter.TryWriteBulkString(_reply.Value, destination, out written);
                return written;
            case BinaryStatus.Ok when kind == RespReplyKind.Ok:
                "+OK\r\n"u8.CopyTo(destination);
                return 5;
            case BinaryStatus.Ok or BinaryStatus.Stale when kind == RespReplyKind.Found:
                RespWriter.TryWriteInteger(1, destination, out written);
                return written;
            case BinaryStatus.NotFound when kind == RespReplyKind.Found:
                RespWriter.TryWriteInteger(0, destination, out written);
                return written;
            case BinaryStatus.NotFound when kind == RespReplyKind.Bulk:
                RespWriter.TryWriteNull(RespVersion.Resp2, destination, out written);
                return written;
            case BinaryStatus.Ok when kind == RespReplyKind.Counter:
                RespWriter.TryWriteInteger(BinaryPrimitives.ReadInt64LittleEndian(_reply.Value), destination, out written);
                return written;
            case BinaryStatus.Ok when kind is RespReplyKind.Ttl or RespReplyKind.Pttl:
                RespWriter.TryWriteInteger(TimeToLive(_reply.Header.Expiry, kind == RespReplyKind.Ttl), destination, out written);
                return written;
            case BinaryStatus.NotFound when kind is RespReplyKind.Ttl or RespReplyKind.Pttl:
                RespWriter.TryWriteInteger(-2, destination, out written);
                return written;
            default:
                return WriteFailure(status, destination);
        }
    }

    /// <summary>
    /// A group member's outcome into its head: a key found counts 1 toward a multi-key DEL or EXISTS, a missing one 0;
    /// any other outcome (a write that failed, no live replica) is the group's failure, the first one kept.
    /// </summary>
    public void Fold(ReplyEntry head)
    {
        BinaryStatus status = _reply.Status;
        bool counting = (RespReplyKind)head.Kind == RespReplyKind.CountTotal;
        if (counting && status is BinaryStatus.Ok or BinaryStatus.Stale)
        {
            head.GroupSum++;
        }
        else if (!(status == BinaryStatus.Ok || (counting && status == BinaryStatus.NotFound)) && head.GroupFailure == BinaryStatus.Ok)
        {
            head.GroupFailure = status;
        }
    }

    /// <summary>The RESP error for a call that failed with <paramref name="status"/>.</summary>
    private static int WriteFailure(BinaryStatus status, Span<byte> destination)
    {
        int written;
        switch (status)
        {
            case BinaryStatus.Unavailable:
                RespWriter.TryWriteError("UNAVAILABLE no live replica holds this key"u8, destination, out written);
                return written;
            case BinaryStatus.NotANumber:
                RespWriter.TryWriteError("ERR value is not an integer or out of range"u8, destination, out written);
                return written;
            case BinaryStatus.Overflow:
                RespWriter.TryWriteError("ERR increment or decrement would overflow"u8, destination, out written);
                return written;
            case BinaryStatus.Busy:
                RespWriter.TryWriteError("BUSY a replica of this key is being refilled; retry shortly"u8, destination, out written);
                return written;
            case BinaryStatus.TooLarge:
                RespWriter.TryWriteError("ERR key or value too large"u8, destination, out written);
                return written;
            default:
                RespWriter.TryWriteError("ERR the cluster could not apply the command"u8, destination, out written);
                return written;
        }
    }

    /// <summary>What TTL (seconds, rounded like Redis) or PTTL answers for an item's absolute expiry (0 = none).</summary>
    private static long TimeToLive(long expiry, bool seconds)
    {
        if (expiry == 0)
        {
            return -1;
        }
        long left = Math.Max(0, expiry - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return seconds ? (left + 500) / 1000 : left;
    }
}
