using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// RESP on the orchestrator's port: PING, ECHO, GET, MGET, MSET, SET with EX/PX/EXAT/PXAT, SETEX, PSETEX, DEL,
/// UNLINK, EXISTS (one key or many), EXPIRE, PEXPIRE, TTL, PTTL, INCR/DECR/INCRBY/DECRBY, QUIT,
/// INFO (<see cref="ClusterInfo"/>), and the handshake probes CONFIG GET (as a worker answers it), COMMAND, SELECT 0,
/// CLIENT SETNAME/SETINFO, as cluster calls. Other commands answer an error naming them; the whole family is served
/// by a worker directly.
/// </summary>
public sealed class ClusterRespSession(Cluster cluster) : ClusterSession(cluster)
{
    private readonly RespParser _parser = new();

    /// <inheritdoc />
    public override int Process(ReadOnlySpan<byte> input)
    {
        int total = 0;
        while (HasRoom && !CloseRequested)
        {
            OperationStatus status = _parser.TryParse(input[total..], out RespRequest request, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }
            if (status != OperationStatus.Done)
            {
                Span<byte> error = stackalloc byte[256];
                RespWriter.TryWriteProtocolError(_parser.Error, error, out int written);
                Literal(error[..written]);
                CloseRequested = true;
                return input.Length;
            }
            total += consumed;
            if (!request.IsEmpty)
            {
                Execute(request);
            }
        }
        return total;
    }

    private void Execute(in RespRequest request)
    {
        int count = request.Count;
        if (request.CommandIs("GET"u8) && count == 2)
        {
            StartRead(Reserve(RespReplyKind.Bulk), request[1], new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
        }
        else if (request.CommandIs("SET"u8) && count >= 3)
        {
            Set(request);
        }
        else if ((request.CommandIs("DEL"u8) || request.CommandIs("UNLINK"u8)) && count == 2)
        {
            StartWrite(Reserve(RespReplyKind.Found), request[1], default, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete });
        }
        else if (request.CommandIs("EXISTS"u8) && count == 2)
        {
            StartRead(Reserve(RespReplyKind.Found), request[1], new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
        }
        else if ((request.CommandIs("DEL"u8) || request.CommandIs("UNLINK"u8)) && count > 2)
        {
            // One replicated delete per key (keys live in different slots), the keys deleted summed, as in Redis.
            long head = ReserveGroup(RespReplyKind.CountTotal);
            for (int i = 1; i < count; i++)
            {
                StartWrite(Replies.ReserveMember(head), request[i], default, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete });
            }
            SealGroup(head);
        }
        else if (request.CommandIs("EXISTS"u8) && count > 2)
        {
            // One read per key; a key named twice counts twice, as in Redis.
            long head = ReserveGroup(RespReplyKind.CountTotal);
            for (int i = 1; i < count; i++)
            {
                StartRead(Replies.ReserveMember(head), request[i], new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
            }
            SealGroup(head);
        }
        else if (request.CommandIs("MSET"u8) && count >= 3 && count % 2 == 1)
        {
            // One replicated write per key, +OK once all are applied. Each key is its own write: unlike Redis's
            // MSET, another client may see some of the keys written before the others (docs/consistency.md).
            long head = ReserveGroup(RespReplyKind.OkTotal);
            for (int i = 1; i < count; i += 2)
            {
                StartWrite(Replies.ReserveMember(head), request[i], request[i + 1], new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet });
            }
            SealGroup(head);
        }
        else if (request.CommandIs("MGET"u8) && count >= 2)
        {
            // The array header, then one read per key (keys live in different slots); the queue keeps the order.
            Span<byte> header = stackalloc byte[24];
            RespWriter.TryWriteArrayHeader(count - 1, header, out int written);
            Literal(header[..written]);
            for (int i = 1; i < count; i++)
            {
                StartRead(Reserve(RespReplyKind.Bulk), request[i], new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
            }
        }
        else if ((request.CommandIs("SETEX"u8) || request.CommandIs("PSETEX"u8)) && count == 4)
        {
            bool seconds = request.CommandIs("SETEX"u8);
            if (!TryTimeToLive(request[2], seconds, out long milliseconds) || milliseconds <= 0)
            {
                Error(seconds ? "ERR invalid expire time in 'setex' command" : "ERR invalid expire time in 'psetex' command");
                return;
            }
            StartWrite(Reserve(RespReplyKind.Ok), request[1], request[3],
                new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Expiry = milliseconds });
        }
        else if ((request.CommandIs("EXPIRE"u8) || request.CommandIs("PEXPIRE"u8)) && count == 3)
        {
            if (!TryTimeToLive(request[2], request.CommandIs("EXPIRE"u8), out long milliseconds))
            {
                Error("ERR value is not an integer or out of range");
                return;
            }
            // As in Redis, a time to live that is not positive deletes the key (answering whether it was there).
            StartWrite(Reserve(RespReplyKind.Found), request[1], default, milliseconds > 0
                ? new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaTouch, Expiry = milliseconds }
                : new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete });
        }
        else if ((request.CommandIs("TTL"u8) || request.CommandIs("PTTL"u8)) && count == 2)
        {
            StartRead(Reserve(request.CommandIs("TTL"u8) ? RespReplyKind.Ttl : RespReplyKind.Pttl), request[1],
                new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
        }
        else if (request.CommandIs("INCR"u8) && count == 2) Increment(request[1], 1);
        else if (request.CommandIs("DECR"u8) && count == 2) Increment(request[1], -1);
        else if ((request.CommandIs("INCRBY"u8) || request.CommandIs("DECRBY"u8)) && count == 3)
        {
            if (!Int64Text.TryParse(request[2], out long delta) || (request.CommandIs("DECRBY"u8) && delta == long.MinValue))
            {
                Error("ERR value is not an integer or out of range");
                return;
            }
            Increment(request[1], request.CommandIs("DECRBY"u8) ? -delta : delta);
        }
        else if (request.CommandIs("PING"u8) && count <= 2)
        {
            if (count == 1) Literal("+PONG\r\n"u8);
            else Bulk(request[1]);
        }
        else if (request.CommandIs("ECHO"u8) && count == 2) Bulk(request[1]);
        else if (request.CommandIs("QUIT"u8))
        {
            Literal("+OK\r\n"u8);
            CloseRequested = true;
        }
        else if (request.CommandIs("SELECT"u8) && count == 2)
        {
            if (request.ArgumentIs(1, "0"u8)) Literal("+OK\r\n"u8);
            else Error("ERR DB index is out of range");
        }
        else if (request.CommandIs("CONFIG"u8) && count >= 3 && request.ArgumentIs(1, "GET"u8)) ConfigGet(request);
        else if (request.CommandIs("COMMAND"u8) || request.CommandIs("CONFIG"u8))
        {
            // What clients probe at connect time: an empty answer keeps them going.
            Literal("*0\r\n"u8);
        }
        else if (request.CommandIs("CLIENT"u8)) Literal("+OK\r\n"u8);
        else if (request.CommandIs("INFO"u8)) Bulk(Encoding.UTF8.GetBytes(ClusterInfo.Describe(Cluster)));
        else
        {
            string name = Encoding.UTF8.GetString(request.Command);
            Error($"ERR '{name}' is not supported through the orchestrator (yet), or has the wrong number of arguments");
        }
    }

    /// <summary>
    /// CONFIG GET as a worker answers it (<see cref="ConfigParameters"/>); maxmemory is 0, "no limit", since the
    /// orchestrator holds no items (each worker has its own).
    /// </summary>
    private void ConfigGet(in RespRequest request)
    {
        List<(string Name, string Value)> matched = ConfigParameters.Match(request, maxMemory: 0);
        byte[] reply = new byte[16 + matched.Sum(p => 32 + p.Name.Length + p.Value.Length)];
        RespWriter.TryWriteArrayHeader(matched.Count * 2, reply, out int length);
        foreach ((string name, string value) in matched)
        {
            RespWriter.TryWriteBulkString(Encoding.Latin1.GetBytes(name), reply.AsSpan(length), out int written);
            length += written;
            RespWriter.TryWriteBulkString(Encoding.Latin1.GetBytes(value), reply.AsSpan(length), out written);
            length += written;
        }
        Literal(reply.AsSpan(0, length));
    }

    private void Set(in RespRequest request)
    {
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet };
        if (request.Count == 5)
        {
            bool ex = request.ArgumentIs(3, "EX"u8), px = request.ArgumentIs(3, "PX"u8);
            bool exat = request.ArgumentIs(3, "EXAT"u8), pxat = request.ArgumentIs(3, "PXAT"u8);
            if (!(ex || px || exat || pxat))
            {
                Error("ERR SET through the orchestrator takes EX, PX, EXAT or PXAT (NX, XX, GET and KEEPTTL not yet)");
                return;
            }
            if (!TryTimeToLive(request[4], ex || exat, out long milliseconds) || milliseconds <= 0)
            {
                Error("ERR invalid expire time in 'set' command");
                return;
            }
            header = header with
            {
                Expiry = milliseconds,
                Flags = exat || pxat ? BinaryFrameFlags.AbsoluteExpiry : BinaryFrameFlags.None,
            };
        }
        else if (request.Count != 3)
        {
            Error("ERR SET through the orchestrator takes EX, PX, EXAT or PXAT (NX, XX, GET and KEEPTTL not yet)");
            return;
        }
        StartWrite(Reserve(RespReplyKind.Ok), request[1], request[2], header);
    }

    /// <summary>Parses a time in seconds or milliseconds into milliseconds; false when not an integer or overflowing.</summary>
    private static bool TryTimeToLive(ReadOnlySpan<byte> text, bool seconds, out long milliseconds)
    {
        milliseconds = 0;
        if (!Int64Text.TryParse(text, out long amount))
        {
            return false;
        }
        if (seconds && (amount > long.MaxValue / 1000 || amount < long.MinValue / 1000))
        {
            return false;
        }
        milliseconds = seconds ? amount * 1000 : amount;
        return true;
    }

    private void Increment(ReadOnlySpan<byte> key, long delta)
    {
        Span<byte> counter = stackalloc byte[BinaryProtocol.CounterSize];
        BinaryPrimitives.WriteInt64LittleEndian(counter, delta);
        StartWrite(Reserve(RespReplyKind.Counter), key, counter, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaIncrement });
    }

    private long ReserveGroup(RespReplyKind kind)
    {
        long sequence = Replies.ReserveGroup(out ReplyEntry head);
        head.Kind = (int)kind;
        return sequence;
    }

    private void SealGroup(long head)
    {
        var format = new RespReplyFormat(default);
        Replies.SealGroup(head, ref format);
    }

    private long Reserve(RespReplyKind kind)
    {
        long sequence = Replies.Reserve(out ReplyEntry entry);
        entry.Kind = (int)kind;
        return sequence;
    }

    private void Literal(ReadOnlySpan<byte> bytes) =>
        Complete(Reserve(RespReplyKind.Literal), new ClusterReply(BinaryStatus.Ok, bytes));

    private void Bulk(ReadOnlySpan<byte> value)
    {
        byte[] reply = new byte[value.Length + 16];
        RespWriter.TryWriteBulkString(value, reply, out int written);
        Literal(reply.AsSpan(0, written));
    }

    private void Error(string message)
    {
        byte[] reply = new byte[message.Length + 3];
        RespWriter.TryWriteError(Encoding.UTF8.GetBytes(message), reply, out int written);
        Literal(reply.AsSpan(0, written));
    }

    /// <inheritdoc />
    protected override void Format(long sequence, in ClusterReply reply)
    {
        var format = new RespReplyFormat(reply);
        Replies.Complete(sequence, ref format);
    }
}
