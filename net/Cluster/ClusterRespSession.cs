using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// RESP on the orchestrator's port: the commands redis-cli and redis-benchmark need (PING, ECHO, GET, SET with
/// EX/PX, DEL, EXISTS, INCR/DECR/INCRBY/DECRBY, QUIT, and the handshake probes COMMAND, CONFIG GET, SELECT 0,
/// CLIENT SETNAME/SETINFO) as cluster calls. Other commands answer an error naming them; the whole family is
/// served by a worker directly.
/// </summary>
public sealed class ClusterRespSession(Cluster cluster) : ClusterSession(cluster)
{
    private readonly RespParser _parser = new();

    /// <inheritdoc />
    protected override int ProcessRequests(ReadOnlySpan<byte> input)
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
        else if (request.CommandIs("COMMAND"u8) || request.CommandIs("CONFIG"u8))
        {
            // What clients probe at connect time: an empty answer keeps them going.
            Literal("*0\r\n"u8);
        }
        else if (request.CommandIs("CLIENT"u8)) Literal("+OK\r\n"u8);
        else
        {
            string name = Encoding.UTF8.GetString(request.Command);
            Error($"ERR '{name}' is not supported through the orchestrator (yet), or has the wrong number of arguments");
        }
    }

    private void Set(in RespRequest request)
    {
        long ttl = 0;
        if (request.Count == 5 && Int64Text.TryParse(request[4], out long amount) && amount > 0
            && (request.ArgumentIs(3, "EX"u8) || request.ArgumentIs(3, "PX"u8)))
        {
            ttl = request.ArgumentIs(3, "EX"u8) ? amount * 1000 : amount;
        }
        else if (request.Count != 3)
        {
            Error("ERR SET through the orchestrator takes only EX or PX (yet)");
            return;
        }
        StartWrite(Reserve(RespReplyKind.Ok), request[1], request[2],
            new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Expiry = ttl });
    }

    private void Increment(ReadOnlySpan<byte> key, long delta)
    {
        Span<byte> counter = stackalloc byte[BinaryProtocol.CounterSize];
        BinaryPrimitives.WriteInt64LittleEndian(counter, delta);
        StartWrite(Reserve(RespReplyKind.Counter), key, counter, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaIncrement });
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
