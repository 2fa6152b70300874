using System.Buffers;
using System.Buffers.Binary;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// The orchestrator's native binary protocol: client commands become cluster reads and replicated, versioned
/// writes; replies echo the client's opcode and request id. Conditional writes (ADD, REPLACE, CAS, DEL at a
/// version), MSET, FLUSH, STATS and the internal commands are refused with BadRequest for now: a conditional
/// write must be decided once and replicated, which the orchestrator does not do yet.
/// </summary>
public sealed class ClusterBinarySession(Cluster cluster) : ClusterSession(cluster)
{
    /// <inheritdoc />
    public override int Process(ReadOnlySpan<byte> input)
    {
        int total = 0;
        while (HasRoom && !CloseRequested)
        {
            OperationStatus status = BinaryCodec.TryParseRequest(input[total..], out BinaryFrame frame, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }
            long sequence = Replies.Reserve(out ReplyEntry entry);
            if (status == OperationStatus.InvalidData)
            {
                entry.Request = frame.ErrorReply;
                Complete(sequence, new ClusterReply(frame.Error, frame.ErrorText));
                CloseRequested = consumed == 0;
                total += consumed;
                continue;
            }
            entry.Request = frame.Header;
            Dispatch(frame, sequence, entry);
            total += consumed;
        }
        return total;
    }

    private void Dispatch(scoped in BinaryFrame frame, long sequence, ReplyEntry entry)
    {
        BinaryFrameHeader header = frame.Header;
        switch (header.Opcode)
        {
            case BinaryOpcode.Get:
                StartRead(sequence, frame.Key, new BinaryFrameHeader { Opcode = BinaryOpcode.Get, Flags = header.Flags });
                break;
            case BinaryOpcode.Set:
                StartWrite(sequence, frame.Key, frame.Value, header with { Opcode = BinaryOpcode.ReplicaSet, RequestId = 0 });
                break;
            case BinaryOpcode.Delete when header.Version == 0:
                StartWrite(sequence, frame.Key, default, new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete });
                break;
            case BinaryOpcode.Increment or BinaryOpcode.Decrement:
                Increment(sequence, frame, header);
                break;
            case BinaryOpcode.Touch:
                StartWrite(sequence, frame.Key, default, header with { Opcode = BinaryOpcode.ReplicaTouch, RequestId = 0 });
                break;
            case BinaryOpcode.MultiGet:
                MultiGet(sequence, frame, entry);
                break;
            case BinaryOpcode.Ping:
                Complete(sequence, new ClusterReply(new BinaryFrameHeader(), frame.Value));
                break;
            case BinaryOpcode.Auth:
                Complete(sequence, new ClusterReply(BinaryStatus.Ok));
                break;
            default:
                Complete(sequence, new ClusterReply(BinaryStatus.BadRequest, "not supported through the orchestrator yet"u8));
                break;
        }
    }

    private void Increment(long sequence, scoped in BinaryFrame frame, in BinaryFrameHeader header)
    {
        long delta = frame.Counter;
        if (header.Opcode == BinaryOpcode.Decrement)
        {
            if (delta == long.MinValue)
            {
                Complete(sequence, new ClusterReply(BinaryStatus.Overflow, "increment would overflow"u8));
                return;
            }
            delta = -delta;
        }
        Span<byte> counter = stackalloc byte[BinaryProtocol.CounterSize];
        BinaryPrimitives.WriteInt64LittleEndian(counter, delta);
        StartWrite(sequence, frame.Key, counter, header with { Opcode = BinaryOpcode.ReplicaIncrement, RequestId = 0 });
    }

    /// <summary>MGET: one read per key (keys live in different slots), one reply frame each, More on all but the last.</summary>
    private void MultiGet(long sequence, scoped in BinaryFrame frame, ReplyEntry first)
    {
        BinaryKeyList.Enumerator keys = frame.Keys.GetEnumerator();
        bool hasKey = keys.MoveNext();
        long current = sequence;
        ReplyEntry entry = first;
        BinaryFrameHeader request = frame.Header;
        var get = new BinaryFrameHeader { Opcode = BinaryOpcode.Get, Flags = request.Flags };
        while (hasKey)
        {
            ReadOnlySpan<byte> key = keys.Current;
            hasKey = keys.MoveNext();
            entry.Request = request;
            entry.More = hasKey;
            entry.SetKey(key);
            StartRead(current, key, get);
            if (hasKey)
            {
                current = Replies.Reserve(out entry);
            }
        }
    }

    /// <inheritdoc />
    protected override void Format(long sequence, in ClusterReply reply)
    {
        var format = new BinaryReplyFormat(reply);
        Replies.Complete(sequence, ref format);
    }
}
