using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// One direction of a copy check's repair (docs/consistency.md, "Copy check"): streams the source copy's items and
/// tombstones of some slots, at or below the check's cutoff version (SNAPSHOT with a filter), into the target copy as
/// versioned REPLICA_SET / REPLICA_DEL, as a resync does. The newer version wins on the target; an answer OK means the
/// target lacked the item or held an older version of it (a REPLICA_DEL's OK: it deleted a live item), and is counted
/// as a repaired item of its slot; STALE (the target held it or newer) and NOT_FOUND (a tombstone recorded where no
/// live item was) change no read and are not counted.
/// </summary>
internal sealed class CopyRepair : IWorkerReplyTarget
{
    private const long StreamToken = -1;
    // Forwarded writes unanswered before the stream pauses, and the level at which it resumes: repairs queue on the
    // target's data links, behind and ahead of live writes, so they are let through a few at a time.
    private const int Window = 1_000;
    private const int ResumeAt = Window / 2;
    private const int KeysKept = 3;
    // Keys remembered per slot as they are forwarded, to name the repaired ones in the log: a few, not every key of a
    // slot (a copy that lost everything would have every item of the table forwarded).
    private const int CandidatesPerSlot = 16;
    private const int SlotBits = 16;

    private readonly WorkerNode _target;
    private readonly WorkerLink _stream;
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int[] _repaired = new int[SlotBitmap.SlotCount];
    // Per slot, the first keys forwarded (a forwarded item's token is its slot, and above SlotBits its place here
    // plus one, or 0 when not remembered), and the remembered keys the target answered OK.
    private readonly Dictionary<int, List<byte[]>> _candidates = [];
    private readonly Dictionary<int, List<string>> _keys = [];
    private readonly Lock _lock = new();
    private long _sent;
    private long _answered;
    private int _ended;

    public CopyRepair(WorkerNode target, WorkerLink stream)
    {
        _target = target;
        _stream = stream;
    }

    /// <summary>
    /// Streams the source's items of the slots in <paramref name="slots"/> at or below <paramref name="cutoff"/> (live
    /// items expiring at or before <paramref name="horizon"/> left out) into the target. Completes true once the stream
    /// has ended and the target has answered every forwarded write; false if the stream or the target failed.
    /// </summary>
    public Task<bool> RunAsync(byte[] slots, ulong cutoff, long horizon)
    {
        var request = new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot, Version = cutoff, Expiry = horizon };
        if (!_stream.Send(request, default, slots, this, StreamToken))
        {
            _done.TrySetResult(false);
        }
        return _done.Task;
    }

    /// <summary>Items of <paramref name="slot"/> this direction repaired so far.</summary>
    public int RepairedIn(int slot) => Volatile.Read(ref _repaired[slot]);

    /// <summary>Up to a few of the keys of <paramref name="slot"/> this direction repaired.</summary>
    public IReadOnlyList<string> KeysIn(int slot)
    {
        using (_lock.EnterScope())
        {
            return _keys.TryGetValue(slot, out List<string>? keys) ? [.. keys] : [];
        }
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (token != StreamToken)
        {
            OnForwardAnswered(frame.Header.Status, token);
            return;
        }
        BinaryFrameHeader header = frame.Header;
        if (!header.Has(BinaryFrameFlags.More))
        {
            // The end frame: OK when the stream is complete; anything else cut it short.
            if (header.Status != BinaryStatus.Ok)
            {
                _done.TrySetResult(false);
                return;
            }
            Volatile.Write(ref _ended, 1);
            CheckDone();
            return;
        }
        if (_target.State != WorkerState.Up)
        {
            _done.TrySetResult(false); // gone down, or being refilled: the resync owns it now
            return;
        }
        int slot = SlotMap.SlotOf(frame.Key);
        bool tombstone = header.Has(BinaryFrameFlags.Tombstone);
        BinaryFrameHeader forward = Resync.ReplicaWriteOf(header);
        long forwardToken = slot;
        using (_lock.EnterScope())
        {
            if (!_candidates.TryGetValue(slot, out List<byte[]>? candidates))
            {
                _candidates[slot] = candidates = [];
            }
            if (candidates.Count < CandidatesPerSlot)
            {
                candidates.Add(frame.Key.ToArray());
                forwardToken |= (long)candidates.Count << SlotBits;
            }
        }
        if (Interlocked.Increment(ref _sent) - Interlocked.Read(ref _answered) >= Window)
        {
            _stream.Pause();
        }
        WorkerLink? link = _target.LinkFor(slot);
        if (link == null || !link.Send(forward, frame.Key, tombstone ? default : frame.Value, this, forwardToken))
        {
            _done.TrySetResult(false);
        }
    }

    private void OnForwardAnswered(BinaryStatus status, long token)
    {
        if (status == BinaryStatus.Ok)
        {
            int slot = (int)(token & ((1 << SlotBits) - 1));
            int candidate = (int)(token >> SlotBits) - 1;
            Interlocked.Increment(ref _repaired[slot]);
            using (_lock.EnterScope())
            {
                if (!_keys.TryGetValue(slot, out List<string>? keys))
                {
                    _keys[slot] = keys = [];
                }
                if (candidate >= 0 && keys.Count < KeysKept)
                {
                    keys.Add(Encoding.UTF8.GetString(_candidates[slot][candidate]));
                }
            }
        }
        else if (status is not (BinaryStatus.Stale or BinaryStatus.NotFound))
        {
            // A copy that cannot apply a replica write is not fit to hold one, as for any replicated write.
            _target.MarkDown($"failed to apply a copy check's repair ({status})");
            _done.TrySetResult(false);
            return;
        }
        if (Interlocked.Read(ref _sent) - Interlocked.Increment(ref _answered) <= ResumeAt)
        {
            _stream.Resume();
        }
        CheckDone();
    }

    public void OnLinkFailed(long token) => _done.TrySetResult(false);

    private void CheckDone()
    {
        if (Volatile.Read(ref _ended) == 1 && Interlocked.Read(ref _answered) == Interlocked.Read(ref _sent))
        {
            _done.TrySetResult(true);
        }
    }
}
