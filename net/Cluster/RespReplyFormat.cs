using System.Buffers.Binary;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>Writes a cluster call's outcome as the RESP reply its command expects.</summary>
internal readonly ref struct RespReplyFormat(in ClusterReply reply) : IReplyFormat
{
    // Room for every reply of ours: the longest, "-ERR value too large: an item must fit in 1 MiB after compression\r\n",
    // is 68 bytes (with 64, a SET of a value too large was answered nothing at all, and its client waited forever).
    private const int Overhead = 128;
    private readonly ClusterReply _reply = reply;

    // Only a bulk string, a literal or a rewritten SCAN reply carries the reply's value; a group's head carries what
    // its members gathered; every other shape (an integer, +OK, an error of ours) fits in the overhead, however large
    // the value a worker sent back (TTL reads it).
    public int MaxSize(ReplyEntry entry) => (RespReplyKind)entry.Kind switch
    {
        RespReplyKind.Bulk or RespReplyKind.Literal or RespReplyKind.ScanCursor => _reply.Value.Length + Overhead,
        RespReplyKind.ArrayJoin or RespReplyKind.AnyBulk => entry.GroupLength + (entry.GroupError?.Length ?? 0) + Overhead,
        RespReplyKind.CountTotal or RespReplyKind.OkTotal => (entry.GroupError?.Length ?? 0) + Overhead,
        _ => Overhead,
    };

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
        if (kind is RespReplyKind.CountTotal or RespReplyKind.OkTotal or RespReplyKind.ArrayJoin or RespReplyKind.AnyBulk)
        {
            return WriteGroup(entry, kind, destination);
        }
        if (kind == RespReplyKind.ScanCursor)
        {
            return WriteScan(entry, destination);
        }
        switch (status)
        {
            case BinaryStatus.Ok when kind == RespReplyKind.Bulk:
                RespWriter.TryWriteBulkString(_reply.Value, destination, out written);
                return written;
            case BinaryStatus.Ok when kind == RespReplyKind.Ok:
                "+OK\r\n"u8.CopyTo(destination);
                return 5;
            case BinaryStatus.NotFound when kind == RespReplyKind.Bulk:
                RespWriter.TryWriteNull(RespVersion.Resp2, destination, out written);
                return written;
            default:
                return WriteFailure(status, _reply.Value, destination);
        }
    }

    /// <summary>
    /// A group member's outcome into its head. MSET's members are replicated writes: any status but Ok is the group's
    /// failure, the first one kept. The others are forwarded commands, whose value is the worker's RESP reply: an
    /// error is the group's reply (the first one kept); otherwise integers add up (DEL, EXISTS, TOUCH, DBSIZE),
    /// arrays join (KEYS), and RANDOMKEY keeps one of the keys found, each with the same chance.
    /// </summary>
    public void Fold(ReplyEntry head)
    {
        var kind = (RespReplyKind)head.Kind;
        BinaryStatus status = _reply.Status;
        if (status != BinaryStatus.Ok || kind == RespReplyKind.OkTotal)
        {
            if (status != BinaryStatus.Ok && head.GroupFailure == BinaryStatus.Ok)
            {
                head.GroupFailure = status;
            }
            return;
        }
        ReadOnlySpan<byte> reply = _reply.Value;
        if (reply.IsEmpty || reply[0] == (byte)'-')
        {
            head.GroupError ??= reply.IsEmpty ? "-ERR empty reply\r\n"u8.ToArray() : reply.ToArray();
            return;
        }
        switch (kind)
        {
            case RespReplyKind.CountTotal:
                head.GroupSum += RespReplies.Integer(reply);
                break;
            case RespReplyKind.ArrayJoin:
                int elements = RespReplies.ArrayElements(reply, out int headerLength);
                head.GroupSum += elements;
                Append(head, reply[headerLength..]);
                break;
            case RespReplyKind.AnyBulk:
                if (!RespReplies.IsNull(reply) && Random.Shared.Next((int)++head.GroupSum) == 0)
                {
                    head.GroupLength = 0;
                    Append(head, reply);
                }
                break;
        }
    }

    private static void Append(ReplyEntry head, ReadOnlySpan<byte> bytes)
    {
        if (head.GroupBytes.Length - head.GroupLength < bytes.Length)
        {
            Array.Resize(ref head.GroupBytes, Math.Max(head.GroupBytes.Length * 2, head.GroupLength + bytes.Length));
        }
        bytes.CopyTo(head.GroupBytes.AsSpan(head.GroupLength));
        head.GroupLength += bytes.Length;
    }

    /// <summary>A group's reply, from what its members gathered rather than from the last member's reply.</summary>
    private static int WriteGroup(ReplyEntry entry, RespReplyKind kind, Span<byte> destination)
    {
        int written;
        if (entry.GroupError != null)
        {
            entry.GroupError.CopyTo(destination);
            written = entry.GroupError.Length;
        }
        else if (entry.GroupFailure != BinaryStatus.Ok)
        {
            written = WriteFailure(entry.GroupFailure, default, destination);
        }
        else if (kind == RespReplyKind.OkTotal)
        {
            "+OK\r\n"u8.CopyTo(destination);
            written = 5;
        }
        else if (kind == RespReplyKind.CountTotal)
        {
            RespWriter.TryWriteInteger(entry.GroupSum, destination, out written);
        }
        else if (kind == RespReplyKind.ArrayJoin)
        {
            RespWriter.TryWriteArrayHeader((int)entry.GroupSum, destination, out written);
            entry.GroupBytes.AsSpan(0, entry.GroupLength).CopyTo(destination[written..]);
            written += entry.GroupLength;
        }
        else
        {
            entry.GroupBytes.AsSpan(0, entry.GroupLength).CopyTo(destination); // AnyBulk: a key, or the null it began with
            written = entry.GroupLength;
        }
        if (entry.GroupBytes.Length > CallBuffers.MaxRetained)
        {
            entry.GroupBytes = [];
        }
        return written;
    }

    /// <summary>
    /// A worker's SCAN reply with its cursor made the cluster's: the pair it walks in bits 32–47 (the worker's cursor
    /// leaves them 0), or the next pair's start once the worker's walk ended, or 0 after the last pair.
    /// </summary>
    private int WriteScan(ReplyEntry entry, Span<byte> destination)
    {
        ReadOnlySpan<byte> reply = _reply.Value;
        if (!RespReplies.TryScanCursor(reply, out ulong cursor, out int rest))
        {
            reply.CopyTo(destination); // an error (an invalid cursor): as the worker wrote it
            return reply.Length;
        }
        long pair = entry.GroupSum & 0xFFFF;
        long pairs = entry.GroupSum >> 32;
        ulong next = cursor != 0 ? cursor | ((ulong)pair << 32)
            : pair + 1 < pairs ? (ulong)(pair + 1) << 32
            : 0;
        RespWriter.TryWriteArrayHeader(2, destination, out int written);
        Span<byte> digits = stackalloc byte[20];
        next.TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
        RespWriter.TryWriteBulkString(digits[..length], destination[written..], out int bulk);
        written += bulk;
        reply[rest..].CopyTo(destination[written..]);
        return written + reply.Length - rest;
    }

    /// <summary>
    /// The RESP error for a call that failed with <paramref name="status"/>. An Unavailable carries the
    /// orchestrator's reason, which says whether the write was sent (docs/protocol.md, "Errors"): "no live replica
    /// holds this key" (refused, nothing sent: not applied) or "no live replica applied the write" (sent, every copy
    /// failed: its outcome is unknown).
    /// </summary>
    private static int WriteFailure(BinaryStatus status, ReadOnlySpan<byte> reason, Span<byte> destination)
    {
        int written;
        switch (status)
        {
            case BinaryStatus.Unavailable:
                ReadOnlySpan<byte> prefix = "-UNAVAILABLE "u8;
                if (reason.IsEmpty || reason.Length > Overhead - prefix.Length - 2 || reason.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
                {
                    reason = "no live replica holds this key"u8;
                }
                prefix.CopyTo(destination);
                reason.CopyTo(destination[prefix.Length..]);
                "\r\n"u8.CopyTo(destination[(prefix.Length + reason.Length)..]);
                return prefix.Length + reason.Length + 2;
            case BinaryStatus.Fenced:
                RespWriter.TryWriteError(RespReplies.Fenced, destination, out written);
                return written;
            case BinaryStatus.TooLarge:
                // A plain write's only refusal for its size (keys are checked before): the worker's text for it.
                RespWriter.TryWriteError("ERR value too large: an item must fit in 1 MiB after compression"u8, destination, out written);
                return written;
            default:
                RespWriter.TryWriteError("ERR the cluster could not apply the command"u8, destination, out written);
                return written;
        }
    }
}
