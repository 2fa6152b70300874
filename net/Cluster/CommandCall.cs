using System.Buffers.Binary;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A command passed to a worker as it is (a RESP command in a COMMAND frame, or a binary client request in a
/// BINARY_COMMAND frame), whose reply goes back to the client as the worker wrote it: so every reply, error texts
/// included, is a worker's. A read goes to one up copy of its keys'
/// pair. A decided write (docs/consistency.md, "Decided writes") goes to one copy holding the full state, with a
/// version: the worker runs it there, every key it writes storing that version, and answers with the state of each
/// such key; the call replays those states on the other copy as versioned writes, and only then answers the client.
/// The copies never decide independently, so they cannot disagree; while the outcome travels, the slot's reads and
/// decisions go to the deciding copy. If the deciding copy fails before it answers, the command is decided again,
/// at a new version, on the other copy. Pooled by its session: its buffers are kept between uses.
/// </summary>
internal sealed class CommandCall : IWorkerReplyTarget
{
    // Tokens: a worker's index for the COMMAND itself; OutcomeToken for an outcome replayed on the other copy.
    private const long OutcomeToken = -1;

    private ClusterSession _session = null!;
    private long _sequence;
    private byte[] _command = new byte[128];
    private int _commandLength;
    private int[] _slots = new int[4];
    private int _slotCount;
    private bool _decided;
    private BinaryOpcode _opcode;
    private BinaryFrameFlags _flags;
    private uint _filter;
    private int _decider;
    private int _other;
    private ulong _version;
    private byte[] _reply = new byte[64];
    private int _replyLength;
    private int _outstanding;

    /// <summary>
    /// Starts the command whose bytes are <paramref name="command"/> (a RESP command for <see cref="BinaryOpcode.Command"/>,
    /// a binary request frame for <see cref="BinaryOpcode.BinaryCommand"/>), over keys in <paramref name="slots"/>
    /// (one pair; at least one slot: a keyless command names one of its pair's), decided or read.
    /// </summary>
    public void Start(ClusterSession session, long sequence, BinaryOpcode opcode, ReadOnlySpan<byte> command,
        ReadOnlySpan<int> slots, bool decided, bool resp3, KeyFilter filter)
    {
        _opcode = opcode;
        _session = session;
        _sequence = sequence;
        CallBuffers.CopyInto(ref _command, command);
        _commandLength = command.Length;
        if (_slots.Length < slots.Length)
        {
            _slots = new int[Math.Max(slots.Length, _slots.Length * 2)];
        }
        slots.CopyTo(_slots);
        _slotCount = slots.Length;
        _decided = decided;
        _flags = BinaryFrameFlags.SenderClock | (resp3 ? BinaryFrameFlags.Resp3 : BinaryFrameFlags.None);
        _filter = opcode == BinaryOpcode.Command ? filter.ToWire() : 0;
        _replyLength = 0;
        Send(avoid: -1);
    }

    private ReadOnlySpan<int> Slots => _slots.AsSpan(0, _slotCount);

    /// <summary>Picks the copy and sends the command there; again after that copy failed (<paramref name="avoid"/>).</summary>
    private void Send(int avoid)
    {
        Cluster cluster = _session.Cluster;
        while (true)
        {
            WorkerNode? worker;
            bool conflict = false, sent = false;
            cluster.EnterSlotLocks(Slots);
            try
            {
                worker = _decided ? cluster.PickDecider(Slots, avoid, out conflict) : cluster.PickReader(Slots, avoid, out conflict);
                if (worker != null)
                {
                    _decider = worker.Index;
                    // Taken under the slots' locks: the writes of a key are queued in version order.
                    _version = _decided ? cluster.Clock.Next() : 0;
                    var header = new BinaryFrameHeader
                    {
                        Opcode = _opcode,
                        Flags = _flags,
                        Version = _version,
                        Expiry = cluster.Clock.Instant(),
                        ItemFlags = _filter,
                    };
                    WorkerLink? link = worker.LinkFor(_slots[0]);
                    sent = link != null && link.Send(header, default, _command.AsSpan(0, _commandLength), this, worker.Index);
                    if (sent && _decided)
                    {
                        cluster.BeginDecided(Slots, worker);
                    }
                }
            }
            finally
            {
                cluster.ExitSlotLocks(Slots);
            }
            if (worker == null)
            {
                if (conflict)
                {
                    Fail(BinaryStatus.Busy, "-TRYAGAIN a copy of these keys is returning to service; retry shortly\r\n"u8, decidedPending: false);
                }
                else if (cluster.LostTo != 0)
                {
                    Fail(BinaryStatus.Fenced, RespReplies.FencedLine, decidedPending: false);
                }
                else
                {
                    Fail(BinaryStatus.Unavailable, "-UNAVAILABLE no live replica holds this key\r\n"u8, decidedPending: false);
                }
                return;
            }
            if (sent)
            {
                return;
            }
            worker.MarkDown("a request could not be sent");
            avoid = worker.Index;
        }
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (token == OutcomeToken)
        {
            if (frame.Header.Status is BinaryStatus.Busy or BinaryStatus.ServerError or BinaryStatus.BadRequest)
            {
                _session.Cluster.Workers[_other].MarkDown($"failed to apply a decided write ({frame.Header.Status})");
            }
            FinishOne();
            return;
        }
        if (frame.Header.Status == BinaryStatus.Stale && _decided)
        {
            // Decided before a FLUSHALL that reached the copy first on another link: nothing ran there. Decide it
            // again, at a version after the flush's.
            EndDecided();
            Send(avoid: -1);
            return;
        }
        ReadOnlySpan<byte> value = frame.Value;
        int length = value.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(value) : -1;
        if (frame.Header.Status != BinaryStatus.Ok || length < 0 || length > value.Length - 4)
        {
            // A worker that cannot run what it was sent is not fit to hold a copy.
            _session.Cluster.Workers[token].MarkDown($"could not run a forwarded command ({frame.Header.Status})");
            Fail(BinaryStatus.ServerError, "-ERR the cluster could not run the command\r\n"u8, _decided);
            return;
        }
        CallBuffers.CopyInto(ref _reply, value.Slice(4, length));
        _replyLength = length;
        ReadOnlySpan<byte> outcomes = value[(4 + length)..];
        if (!_decided || outcomes.IsEmpty)
        {
            Finish(_reply.AsSpan(0, _replyLength), _decided);
            return;
        }
        Replicate(outcomes);
    }

    /// <summary>Replays the decided outcomes on the pair's other copy, when it is up or being refilled.</summary>
    private void Replicate(ReadOnlySpan<byte> outcomes)
    {
        Cluster cluster = _session.Cluster;
        int primary = cluster.Map.PrimaryOf(_slots[0]);
        _other = _decider == primary ? cluster.Map.PartnerOf(_slots[0]) : primary;
        WorkerNode other = cluster.Workers[_other];
        if (other.State is not (WorkerState.Up or WorkerState.Syncing))
        {
            Finish(_reply.AsSpan(0, _replyLength), decidedPending: true);
            return;
        }
        _outstanding = 1; // held until every outcome is queued
        while (!outcomes.IsEmpty)
        {
            if (!KeyOutcome.TryRead(outcomes, out KeyOutcome outcome, out int length))
            {
                cluster.Workers[_decider].MarkDown("sent a malformed command outcome");
                break;
            }
            outcomes = outcomes[length..];
            var header = new BinaryFrameHeader
            {
                Opcode = outcome.IsTombstone ? BinaryOpcode.ReplicaDelete : BinaryOpcode.ReplicaSet,
                Version = _version,
                ItemFlags = outcome.IsTombstone ? 0 : outcome.ItemFlags,
                Expiry = outcome.IsTombstone ? 0 : outcome.Expiry,
                Flags = outcome.IsTombstone ? BinaryFrameFlags.None
                    : (outcome.Expiry != 0 ? BinaryFrameFlags.AbsoluteExpiry : BinaryFrameFlags.None)
                      | (outcome.IsCompressed ? BinaryFrameFlags.Compressed : BinaryFrameFlags.None),
            };
            Interlocked.Increment(ref _outstanding);
            WorkerLink? link = other.LinkFor(KeySlot.Of(outcome.Key));
            if (link == null || !link.Send(header, outcome.Key, outcome.Value, this, OutcomeToken))
            {
                other.MarkDown("a decided write could not be sent");
                Interlocked.Decrement(ref _outstanding);
            }
        }
        FinishOne();
    }

    public void OnLinkFailed(long token)
    {
        Cluster cluster = _session.Cluster;
        if (token == OutcomeToken)
        {
            cluster.Workers[_other].MarkDown("connection lost during a decided write");
            FinishOne();
            return;
        }
        WorkerNode failed = cluster.Workers[token];
        failed.MarkDown("connection lost during a command");
        if (_decided)
        {
            // Its outcome was never seen: what the dead copy did is lost with it. Decide again on the other copy,
            // at a new version (that copy may hold newer writes of these keys than the old one).
            EndDecided();
        }
        Send(avoid: failed.Index);
    }

    /// <summary>The decided write no longer travels: its slots' reads and decisions may go to either copy again.</summary>
    private void EndDecided()
    {
        Cluster cluster = _session.Cluster;
        cluster.EnterSlotLocks(Slots);
        cluster.EndDecided(Slots);
        cluster.ExitSlotLocks(Slots);
    }

    private void FinishOne()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            Finish(_reply.AsSpan(0, _replyLength), decidedPending: true);
        }
    }

    /// <summary>
    /// Ends the command without a worker's reply, in the client's protocol: the RESP error line for a RESP client, a
    /// status frame for a binary one (whose reply is otherwise the worker's frames, copied whole).
    /// </summary>
    private void Fail(BinaryStatus status, ReadOnlySpan<byte> respLine, bool decidedPending)
    {
        if (_opcode == BinaryOpcode.Command)
        {
            Finish(respLine, decidedPending);
            return;
        }
        // The line's text after its "-" and code, and before its CRLF, is the binary reply's reason.
        ReadOnlySpan<byte> text = respLine[1..^2];
        Complete(new ClusterReply(status, text[(text.IndexOf((byte)' ') + 1)..]), decidedPending);
    }

    private void Finish(ReadOnlySpan<byte> reply, bool decidedPending) => Complete(new ClusterReply(BinaryStatus.Ok, reply), decidedPending);

    private void Complete(in ClusterReply reply, bool decidedPending)
    {
        ClusterSession session = _session;
        if (decidedPending)
        {
            EndDecided();
        }
        session.Complete(_sequence, reply);
        CallBuffers.Trim(ref _reply);
        CallBuffers.Trim(ref _command);
        session.Return(this, _commandLength);
    }
}
