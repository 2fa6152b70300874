using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A write sent, with one version, to every replica of its slot that is up or syncing, and acknowledged once all
/// of them have answered (docs/consistency.md). A replica that fails to apply it (its link fails, or it answers
/// Busy or ServerError) is marked down before the acknowledgement. The client gets the answer of a replica that
/// was up when the write was sent (not one being refilled) if it applied the write, else of another that did and
/// is still up at that moment, or Unavailable when there is none. Pooled by its session:
/// key, value and result buffers are kept between uses.
/// </summary>
internal sealed class WriteCall : IWorkerReplyTarget
{
    private readonly Lock _lock = new();
    private ClusterSession _session = null!;
    private long _sequence;
    private int _slot;
    private BinaryFrameHeader _request;
    private byte[] _key = new byte[64];
    private int _keyLength;
    private byte[] _value = new byte[256];
    private int _valueLength;
    private int _outstanding;
    private int _applied0;
    private int _applied1;
    private int _preferred; // a replica that was up when the write was sent: its answer is the one given
    private BinaryFrameHeader _result;
    private byte[] _resultValue = new byte[16];
    private int _resultLength;

    public void Start(ClusterSession session, long sequence, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value,
        in BinaryFrameHeader request)
    {
        _session = session;
        _sequence = sequence;
        _slot = SlotMap.SlotOf(key);
        _request = request;
        if (request.Expiry > 0 && !request.Has(BinaryFrameFlags.AbsoluteExpiry))
        {
            // A time to live becomes one instant here, so both copies expire the key at the same millisecond
            // (each replica would otherwise add it to its own clock, at its own moment).
            _request = request with
            {
                Expiry = session.Cluster.Clock.Instant() + request.Expiry,
                Flags = request.Flags | BinaryFrameFlags.AbsoluteExpiry,
            };
        }
        CallBuffers.CopyInto(ref _key, key);
        _keyLength = key.Length;
        CallBuffers.CopyInto(ref _value, value);
        _valueLength = value.Length;
        _applied0 = _applied1 = -1;
        _resultLength = 0;

        Cluster cluster = session.Cluster;
        WorkerNode primary = cluster.Workers[cluster.Map.PrimaryOf(_slot)];
        WorkerNode partner = cluster.Workers[cluster.Map.PartnerOf(_slot)];
        if (primary.State != WorkerState.Up && partner.State != WorkerState.Up)
        {
            Complete(cluster.Unavailable("no live replica holds this key"u8));
            return;
        }
        // The answer comes from a copy that held the full state (a copy being refilled may lack the key yet).
        _preferred = primary.State == WorkerState.Up ? primary.Index : partner.Index;
        // One extra count held until both sends are queued, so an early answer cannot finish the call.
        _outstanding = 3;
        using (cluster.SlotLock(_slot).EnterScope())
        {
            // The version is taken under the slot lock: writes to a key are queued in version order.
            BinaryFrameHeader versioned = _request with { Version = cluster.Clock.Next() };
            SendTo(primary, versioned);
            SendTo(partner, versioned);
        }
        Finish();
    }

    private void SendTo(WorkerNode worker, in BinaryFrameHeader header)
    {
        if (worker.State is WorkerState.Down or WorkerState.Returning)
        {
            Finish();
            return;
        }
        WorkerLink? link = worker.LinkFor(_slot);
        if (link == null || !link.Send(header, _key.AsSpan(0, _keyLength), _value.AsSpan(0, _valueLength), this, worker.Index))
        {
            worker.MarkDown("a write could not be sent");
            Finish();
        }
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        WorkerNode worker = _session.Cluster.Workers[token];
        BinaryStatus status = frame.Header.Status;
        if (status is BinaryStatus.Busy or BinaryStatus.ServerError)
        {
            worker.MarkDown($"failed to apply a write ({status})");
        }
        else
        {
            using (_lock.EnterScope())
            {
                if (_applied0 < 0 || worker.Index == _preferred)
                {
                    if (_applied0 >= 0)
                    {
                        _applied1 = _applied0;
                    }
                    _applied0 = worker.Index;
                    _result = frame.Header;
                    CallBuffers.CopyInto(ref _resultValue, frame.Value);
                    _resultLength = frame.Value.Length;
                }
                else
                {
                    _applied1 = worker.Index;
                }
            }
        }
        Finish();
    }

    public void OnLinkFailed(long token)
    {
        _session.Cluster.Workers[token].MarkDown("connection lost during a write");
        Finish();
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }
        WorkerNode[] workers = _session.Cluster.Workers;
        bool held = (_applied0 >= 0 && workers[_applied0].State == WorkerState.Up)
            || (_applied1 >= 0 && workers[_applied1].State == WorkerState.Up);
        // STALE: something newer than this write was there first (a write ordered after it that arrived earlier, or a
        // FLUSHALL's barrier): the write took its place in the order and was superseded. To the client, applied.
        BinaryFrameHeader result = _result.Status == BinaryStatus.Stale ? _result with { Status = BinaryStatus.Ok } : _result;
        Complete(held
            ? new ClusterReply(result, _resultValue.AsSpan(0, _resultLength))
            : _session.Cluster.Unavailable("no live replica applied the write"u8));
    }

    private void Complete(in ClusterReply reply)
    {
        ClusterSession session = _session;
        session.Complete(_sequence, reply);
        CallBuffers.Trim(ref _value);
        session.Return(this, _valueLength);
    }
}
