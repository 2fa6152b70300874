using System.Buffers;
using System.Buffers.Binary;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;

namespace EchoCache.Net.Cluster;

/// <summary>
/// The orchestrator's native binary protocol: GET and MGET are cluster reads, SET a replicated, versioned write;
/// ADD, REPLACE, CAS, DELETE, INCR, DECR and TOUCH, whose outcome depends on the item held, are decided on one copy
/// and their outcome replicated (<see cref="CommandCall"/>, the request passed whole to the worker); FLUSH empties
/// every copy as a barrier; STATS answers with an up worker's counters. Replies echo the client's opcode and request
/// id. MSET and the internal commands are refused with BadRequest. With <paramref name="access"/> requiring a password,
/// every request but AUTH and PING is answered AUTH_REQUIRED until an AUTH succeeds.
/// </summary>
public sealed class ClusterBinarySession(Cluster cluster, AccessControl? access = null) : ClusterSession(cluster)
{
    private readonly AccessControl _access = access ?? AccessControl.Open;
    private bool _authenticated = !(access?.RequiresPassword ?? false);
    private int _authFailures;

    /// <inheritdoc />
    public override int Process(ReadOnlySpan<byte> input)
    {
        int total = 0;
        while (HasRoom && !CloseRequested)
        {
            OperationStatus status = BinaryCodec.TryParseRequest(input[total..], out BinaryFrame frame, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                if (!_authenticated && AccessControl.IsFrameTooLargeBeforeAuth(input[total..], out BinaryFrameHeader refusal))
                {
                    long refused = Replies.Reserve(out ReplyEntry refusedEntry);
                    refusedEntry.Request = refusal;
                    Complete(refused, new ClusterReply(refusal.Status, AccessControl.FrameTooLargeMessage));
                    CloseRequested = true;
                }
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
            if (!_authenticated && frame.Opcode is not (BinaryOpcode.Auth or BinaryOpcode.Ping))
            {
                Complete(sequence, new ClusterReply(BinaryStatus.AuthRequired, AccessControl.NoAuthMessage));
                total += consumed;
                continue;
            }
            Dispatch(frame, input.Slice(total, consumed), sequence, entry);
            total += consumed;
        }
        return total;
    }

    private void Dispatch(scoped in BinaryFrame frame, ReadOnlySpan<byte> request, long sequence, ReplyEntry entry)
    {
        BinaryFrameHeader header = frame.Header;
        switch (header.Opcode)
        {
            case BinaryOpcode.Get:
                StartRead(sequence, frame.Key, new BinaryFrameHeader { Opcode = BinaryOpcode.Get, Flags = header.Flags });
                break;
            case BinaryOpcode.Set when header.Has(BinaryFrameFlags.KeepTtl):
                Forward(sequence, entry, frame.Key, request, decided: true); // keeps what the item held: decided
                break;
            case BinaryOpcode.Set:
                StartWrite(sequence, frame.Key, frame.Value, header with { Opcode = BinaryOpcode.ReplicaSet, RequestId = 0 });
                break;
            case BinaryOpcode.Add or BinaryOpcode.Replace or BinaryOpcode.Cas or BinaryOpcode.Delete
                or BinaryOpcode.Increment or BinaryOpcode.Decrement or BinaryOpcode.Touch:
                Forward(sequence, entry, frame.Key, request, decided: true);
                break;
            case BinaryOpcode.Stats:
                Forward(sequence, entry, default, request, decided: false);
                break;
            case BinaryOpcode.Flush:
                new FlushCall().Start(this, sequence);
                break;
            case BinaryOpcode.MultiGet:
                MultiGet(sequence, frame, entry);
                break;
            case BinaryOpcode.Ping:
                Complete(sequence, new ClusterReply(new BinaryFrameHeader(), frame.Value));
                break;
            case BinaryOpcode.Auth:
                Auth(frame, sequence);
                break;
            default:
                Complete(sequence, new ClusterReply(BinaryStatus.BadRequest, "not supported through the orchestrator yet"u8));
                break;
        }
    }

    /// <summary>
    /// AUTH: key = user (empty for the default user), value = password, as on a worker (BinarySession): OK to anything
    /// without a password configured; AUTH_FAILED, or BUSY while the server refuses attempts; closed after too many.
    /// </summary>
    private void Auth(scoped in BinaryFrame frame, long sequence)
    {
        if (!_access.RequiresPassword)
        {
            Complete(sequence, new ClusterReply(BinaryStatus.Ok));
            return;
        }
        AuthOutcome outcome = _access.Authenticate(frame.Key.IsEmpty ? AccessControl.DefaultUser : frame.Key, frame.Value,
            ref _authFailures);
        _authenticated |= outcome == AuthOutcome.Ok;
        Complete(sequence, new ClusterReply(AccessControl.BinaryStatusOf(outcome), AccessControl.MessageOf(outcome)));
        if (outcome != AuthOutcome.Ok && _access.MustClose(_authFailures))
        {
            CloseRequested = true;
        }
    }

    /// <summary>The request, whole, to one copy: decided there (its outcome replicated), or read.</summary>
    private void Forward(long sequence, ReplyEntry entry, ReadOnlySpan<byte> key, ReadOnlySpan<byte> request, bool decided)
    {
        entry.Kind = BinaryReplyFormat.Verbatim;
        Span<int> slot = [key.IsEmpty ? 0 : SlotMap.SlotOf(key)];
        StartCommand(sequence, request, slot, decided, resp3: false, opcode: BinaryOpcode.BinaryCommand);
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
