using System.Buffers;
using System.Buffers.Binary;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// Executes native binary protocol requests (docs/protocol.md) against a worker's engine: client commands,
/// and the internal ones the orchestrator sends (versioned replica writes, snapshot streams, health). With
/// <paramref name="access"/> requiring a password, every request but AUTH and PING is refused until an AUTH succeeds.
/// </summary>
public sealed partial class BinarySession(CacheEngine engine, WorkerStats stats, AccessControl? access = null,
    ClusterMembership? membership = null) : IDisposable
{
    private readonly AccessControl _access = access ?? AccessControl.Open;
    private bool _authenticated = !(access?.RequiresPassword ?? false);
    private int _authFailures;
    private readonly ClusterMembership _membership = membership ?? new ClusterMembership();

    // The engine's clock, when it follows the orchestrator's (a worker's always does; tests may use another).
    private readonly SenderClock? _clock = engine.Clock as SenderClock;
    private bool _following;
    // COMMAND frames: the RESP session that runs them, and the buffer their reply is built in.
    private RespSession? _commands;
    private OutputBuffer? _commandReply;
    // SNAPSHOT and DIGEST walks: BinarySession.Streams.cs.
    private SnapshotCursor? _snapshot;
    // The engine's evictions, when a worker keeps them for the orchestrator, and this connection's place in them:
    // -1 until the connection proves to be an orchestrator's (its first internal request), then the last notice
    // written on it (or skipped, as acknowledged).
    private readonly EvictionLog? _evictions = engine.EvictionObserver as EvictionLog;
    private long _noticeCursor = -1;

    // The connection, when the session runs on one (sessions driven without sockets have none).
    private IClientConnection? _connection;

    /// <summary>The connection this session serves: a link that joins is exempt from its idle timeout.</summary>
    public void Attach(IClientConnection connection) => _connection = connection;

    /// <summary>Set after a frame that leaves the stream untrustworthy: the loop replies, then closes.</summary>
    public bool CloseRequested { get; private set; }

    /// <summary>Whether a snapshot stream is being written, or a digest computed.</summary>
    public bool IsStreaming => _snapshot != null;

    /// <summary>Executes the complete frames at the start of <paramref name="input"/>; returns the bytes consumed.</summary>
    public int Process(ReadOnlySpan<byte> input, OutputBuffer output)
    {
        int total = 0;
        int prefetched = 0; // the frames before this offset have their keys loaded already
        while (!output.IsFull && _snapshot == null && !CloseRequested)
        {
            if (total >= prefetched && input.Length - total >= PipelinePrefetch.MinInput)
            {
                prefetched = total + PrefetchKeys(input[total..]);
            }
            OperationStatus status = BinaryCodec.TryParseRequest(input[total..], out BinaryFrame frame, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                if (!_authenticated && AccessControl.IsFrameTooLargeBeforeAuth(input[total..], out BinaryFrameHeader refusal))
                {
                    Reply(output, refusal, default, AccessControl.FrameTooLargeMessage);
                    CloseRequested = true;
                }
                break;
            }
            if (status == OperationStatus.InvalidData)
            {
                Reply(output, frame.ErrorReply, default, frame.ErrorText);
                // Nothing consumed: the stream itself is broken (wrong magic, a length over the cap). Close.
                CloseRequested = consumed == 0;
                total += consumed;
                continue;
            }
            if (!_authenticated && frame.Opcode is not (BinaryOpcode.Auth or BinaryOpcode.Ping))
            {
                Reply(output, frame.Header.ReplyWith(BinaryStatus.AuthRequired), default, AccessControl.NoAuthMessage);
                total += consumed;
                continue;
            }
            stats.CountCommand();
            if (_linkEpoch != _membership.Epoch && !Admit(frame.Header, output))
            {
                total += consumed;
                continue;
            }
            if (frame.Opcode >= BinaryOpcode.ReplicaSet && !_following)
            {
                _following = true;
                _clock?.Follow(); // an orchestrator's worker: expiry follows its clock only
                if (_evictions != null)
                {
                    // Notices the orchestrator has not acknowledged may not have reached it (a new orchestrator, or a
                    // link opened again): they go out on this connection too. Deletes they lead to are idempotent.
                    _noticeCursor = _evictions.StartCursor();
                }
            }
            int replyStart = _noticeCursor >= 0 ? WriteNotices(frame.Header, output) : 0;
            if (frame.Header.Has(BinaryFrameFlags.SenderClock) && _clock != null)
            {
                using (_clock.At(frame.Header.Expiry))
                {
                    Execute(frame, output);
                }
            }
            else
            {
                Execute(frame, output);
            }
            if (_noticeCursor >= 0 && _noticeCursor != _evictions!.Last)
            {
                // Evicted while the request ran (by it, or on another thread): those notices must precede its reply
                // too, since it may have seen the key gone.
                WriteNoticesBefore(replyStart, output);
            }
            total += consumed;
        }
        return total;
    }

    /// <summary>
    /// Writes the eviction notices this orchestrator connection has not carried yet (docs/consistency.md,
    /// "Eviction"), skipping those the orchestrator has acknowledged; returns where the next reply starts, as an
    /// offset from the first unsent byte. With nothing new: two volatile reads. A HEALTH's acknowledgement counts
    /// before its own notices are written: the control link, which carries nothing else, would otherwise owe every
    /// notice since the previous probe, and under a flood of evictions (hundreds of thousands a second) those
    /// could outrun the log.
    /// </summary>
    private int WriteNotices(in BinaryFrameHeader request, OutputBuffer output)
    {
        if (request.Opcode == BinaryOpcode.Health)
        {
            _evictions!.Acknowledge(request.Version);
        }
        long acknowledged = _evictions!.Acknowledged;
        if (_noticeCursor < acknowledged)
        {
            _noticeCursor = acknowledged;
        }
        if (_noticeCursor != _evictions.Last)
        {
            _evictions.WriteNotices(ref _noticeCursor, output);
        }
        return output.Pending;
    }

    /// <summary>
    /// Writes the notices of evictions made while a request ran, and moves them before its reply (which starts
    /// <paramref name="replyStart"/> bytes after the first unsent byte): a reply that saw an evicted key gone reaches
    /// the orchestrator after the notice. The bytes are rotated in place (three reversals): nothing is allocated.
    /// </summary>
    private void WriteNoticesBefore(int replyStart, OutputBuffer output)
    {
        int replyEnd = output.Pending;
        _evictions!.WriteNotices(ref _noticeCursor, output);
        int replyLength = replyEnd - replyStart;
        if (replyLength == 0)
        {
            return;
        }
        // Offsets from the first unsent byte survive the buffer growing (which moves the unsent bytes to the front).
        Span<byte> region = output.Bytes.AsSpan(output.SentOffset + replyStart, output.Pending - replyStart);
        region[..replyLength].Reverse();
        region[replyLength..].Reverse();
        region.Reverse();
    }

    /// <summary>
    /// Starts loading the hash buckets of the keys of up to <see cref="PipelinePrefetch.Batch"/> whole frames at the
    /// start of <paramref name="input"/> (the orchestrator's batches bring dozens), read from their headers
    /// (<see cref="BinaryCodec.TryPeekRequestKey"/>: a few loads, against a parse and a validation); returns the
    /// length of the frames it looked at.
    /// </summary>
    private int PrefetchKeys(ReadOnlySpan<byte> input)
    {
        int offset = 0, frames = 0;
        while (frames < PipelinePrefetch.Batch
            && BinaryCodec.TryPeekRequestKey(input[offset..], out ReadOnlySpan<byte> key, out int length)
            && length <= input.Length - offset)
        {
            if (!key.IsEmpty)
            {
                engine.Prefetch(key);
            }
            offset += length;
            frames++;
        }
        return offset;
    }

    private void Execute(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        switch (header.Opcode)
        {
            case BinaryOpcode.Get:
                Get(frame, output);
                break;
            case BinaryOpcode.Set:
                Store(frame, WriteCondition.Always, output);
                break;
            case BinaryOpcode.Add:
                Store(frame, WriteCondition.IfAbsent, output);
                break;
            case BinaryOpcode.Replace:
                Store(frame, WriteCondition.IfPresent, output);
                break;
            case BinaryOpcode.Cas:
                Store(frame, WriteCondition.IfVersionMatches, output);
                break;
            case BinaryOpcode.ReplicaSet:
                Store(frame, WriteCondition.IfNewer, output);
                break;
            case BinaryOpcode.Delete:
                Delete(frame, header.Version != 0 ? WriteCondition.IfVersionMatches : WriteCondition.Always, output);
                break;
            case BinaryOpcode.ReplicaDelete:
                Delete(frame, WriteCondition.IfNewer, output);
                break;
            case BinaryOpcode.Increment:
                Increment(frame, negate: false, WriteCondition.Always, output);
                break;
            case BinaryOpcode.Decrement:
                Increment(frame, negate: true, WriteCondition.Always, output);
                break;
            case BinaryOpcode.ReplicaIncrement:
                Increment(frame, negate: false, WriteCondition.IfNewer, output);
                break;
            case BinaryOpcode.Touch:
                Touch(frame, WriteCondition.Always, output);
                break;
            case BinaryOpcode.ReplicaTouch:
                Touch(frame, WriteCondition.IfNewer, output);
                break;
            case BinaryOpcode.MultiGet:
                MultiGet(frame, output);
                break;
            case BinaryOpcode.MultiSet:
                MultiSet(frame, output);
                break;
            case BinaryOpcode.Ping:
                Reply(output, header.ReplyWith(BinaryStatus.Ok), default, frame.Value);
                break;
            case BinaryOpcode.Stats:
                Stats(header, output);
                break;
            case BinaryOpcode.Auth:
                Auth(frame, output);
                break;
            case BinaryOpcode.Flush:
                // With a version, the cluster's barrier: what is at or below it goes, and older replica writes that
                // arrive later on other connections are refused (CacheEngine.FlushBelow).
                if (header.Version != 0)
                {
                    engine.FlushBelow(header.Version);
                }
                else
                {
                    engine.Flush();
                }
                Reply(output, header.ReplyWith(BinaryStatus.Ok), default, default);
                break;
            case BinaryOpcode.Command:
                Command(frame, output);
                break;
            case BinaryOpcode.BinaryCommand:
                BinaryCommand(frame, output);
                break;
            case BinaryOpcode.Snapshot:
                StartSnapshot(frame);
                break;
            case BinaryOpcode.Digest:
                StartDigest(header);
                break;
            case BinaryOpcode.LinkChallenge:
                LinkChallenge(frame, output);
                break;
            case BinaryOpcode.LinkJoin:
                LinkJoin(frame, output);
                break;
            case BinaryOpcode.Health:
                // Its version acknowledges the eviction notices the orchestrator has handled.
                _evictions?.Acknowledge(header.Version);
                Health(header, output);
                break;
            default:
                // The parser refuses unknown opcodes; a known one missing here is a bug, answered rather than thrown.
                Reply(output, header.ReplyWith(BinaryStatus.ServerError), default, "opcode not served by a worker"u8);
                break;
        }
    }

    /// <summary>
    /// AUTH: key = user (empty for the default user), value = password. Without a password configured every client is
    /// authenticated already, and any credentials answer OK. A failure answers AUTH_FAILED (or BUSY while the server
    /// refuses attempts), and the connection closes after too many.
    /// </summary>
    private void Auth(scoped in BinaryFrame frame, OutputBuffer output)
    {
        if (!_access.RequiresPassword)
        {
            Reply(output, frame.Header.ReplyWith(BinaryStatus.Ok), default, default);
            return;
        }
        AuthOutcome outcome = _access.Authenticate(frame.Key.IsEmpty ? AccessControl.DefaultUser : frame.Key, frame.Value,
            ref _authFailures);
        _authenticated |= outcome == AuthOutcome.Ok;
        Reply(output, frame.Header.ReplyWith(AccessControl.BinaryStatusOf(outcome)), default, AccessControl.MessageOf(outcome));
        if (outcome != AuthOutcome.Ok && _access.MustClose(_authFailures))
        {
            CloseRequested = true;
        }
    }

    /// <summary>
    /// Runs the RESP command the frame carries (<see cref="RespSession.RunForwarded"/>) and answers it: the reply's
    /// value is the RESP reply's length, the reply, and the outcomes of a decided command.
    /// </summary>
    private void Command(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        if (IsOvertakenByFlush(header, output))
        {
            return;
        }
        _commands ??= new RespSession(engine, stats);
        _commandReply ??= new OutputBuffer();
        RespVersion version = header.Has(BinaryFrameFlags.Resp3) ? RespVersion.Resp3 : RespVersion.Resp2;
        _commands.RunForwarded(frame.Value, version, KeyFilter.FromWire(header.ItemFlags), header.Version, _commandReply);
        if (_commandReply.Written > BinaryProtocol.MaxBodyLength)
        {
            // A frame cannot carry it (KEYS * over millions of keys): say so rather than break the link.
            _commandReply.MarkSent(_commandReply.Written);
            ReadOnlySpan<byte> error = "-ERR the reply is too large to pass through the orchestrator (use SCAN)\r\n"u8;
            BinaryPrimitives.WriteInt32LittleEndian(_commandReply.GetSpan(4), error.Length);
            _commandReply.Advance(4);
            _commandReply.Write(error);
        }
        Reply(output, header.ReplyWith(BinaryStatus.Ok) with { Version = header.Version }, default,
            _commandReply.Bytes.AsSpan(0, _commandReply.Written));
        _commandReply.MarkSent(_commandReply.Written);
    }

    /// <summary>
    /// Runs the binary client request the frame carries (the orchestrator's decided ADD, REPLACE, CAS, DELETE, INCR,
    /// DECR, TOUCH) and answers it: the value holds the length of the inner request's reply frames, those frames,
    /// and, when decided, the outcome of its key (<see cref="KeyOutcome"/>).
    /// </summary>
    private void BinaryCommand(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        if (IsOvertakenByFlush(header, output))
        {
            return;
        }
        _commandReply ??= new OutputBuffer();
        OutputBuffer inner = _commandReply;
        inner.GetSpan(4);
        inner.Advance(4);
        OperationStatus status = BinaryCodec.TryParseRequest(frame.Value, out BinaryFrame request, out int consumed);
        bool runnable = status == OperationStatus.Done && consumed == frame.Value.Length
            && request.Opcode is > BinaryOpcode.ConnectionError and < BinaryOpcode.Auth and not BinaryOpcode.MultiSet;
        if (!runnable)
        {
            Reply(inner, header.ReplyWith(BinaryStatus.BadRequest), default, "not a request the orchestrator forwards"u8);
        }
        else if (header.Version == 0)
        {
            Execute(request, inner);
        }
        else
        {
            using (engine.StampVersions(header.Version))
            {
                Execute(request, inner);
            }
        }
        BinaryPrimitives.WriteInt32LittleEndian(inner.Bytes, inner.Written - 4);
        if (runnable && header.Version != 0 && !request.Key.IsEmpty)
        {
            var sink = new OutcomeSink(inner, header.Version);
            engine.Inspect(request.Key, ref sink);
        }
        Reply(output, header.ReplyWith(BinaryStatus.Ok) with { Version = header.Version }, default, inner.Bytes.AsSpan(0, inner.Written));
        inner.MarkSent(inner.Written);
    }

    /// <summary>
    /// Whether a decided command's version is at or below the last flush's (it was decided before a FLUSHALL that
    /// overtook it on another connection, and the flush's barrier would refuse its outcome on the other copy); if so
    /// it is answered STALE, running nothing, and the orchestrator decides it again at a new version.
    /// </summary>
    private bool IsOvertakenByFlush(in BinaryFrameHeader header, OutputBuffer output)
    {
        if (header.Version == 0 || header.Version > engine.FlushFloor)
        {
            return false;
        }
        Reply(output, header.ReplyWith(BinaryStatus.Stale), default, default);
        return true;
    }

    private void Get(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        var sink = new BinaryReplySink(output, header.Opcode, header.RequestId,
            header.Has(BinaryFrameFlags.AcceptCompressed), includeKey: false, more: false);
        CacheStatus status = engine.Get(frame.Key, ref sink);
        if (status != CacheStatus.Ok)
        {
            Reply(output, header.ReplyWith(ToBinary(status)), default, default);
        }
    }

    private void Store(scoped in BinaryFrame frame, WriteCondition condition, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        CacheStatus status = engine.Set(frame.Key, frame.Value, OptionsFrom(header, condition), out ulong version);
        ReplyStatus(output, header, status, version);
    }

    private void Delete(scoped in BinaryFrame frame, WriteCondition condition, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        CacheStatus status = engine.Delete(frame.Key, OptionsFrom(header, condition), out ulong version);
        ReplyStatus(output, header, status, version);
    }

    private void Increment(scoped in BinaryFrame frame, bool negate, WriteCondition condition, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        long delta = frame.Counter;
        if (negate && delta == long.MinValue)
        {
            ReplyStatus(output, header, CacheStatus.Overflow, 0);
            return;
        }
        CacheStatus status = engine.Increment(frame.Key, negate ? -delta : delta, OptionsFrom(header, condition),
            createIfMissing: true, out long value, out ulong version);
        if (status != CacheStatus.Ok)
        {
            ReplyStatus(output, header, status, version);
            return;
        }
        Span<byte> counter = stackalloc byte[BinaryProtocol.CounterSize];
        BinaryPrimitives.WriteInt64LittleEndian(counter, value);
        Reply(output, header.ReplyWith(BinaryStatus.Ok) with { Version = version }, default, counter);
    }

    private void Touch(scoped in BinaryFrame frame, WriteCondition condition, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        CacheStatus status = engine.Touch(frame.Key, OptionsFrom(header, condition), out ulong version);
        ReplyStatus(output, header, status, version);
    }

    private void MultiGet(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        bool acceptCompressed = header.Has(BinaryFrameFlags.AcceptCompressed);
        BinaryKeyList.Enumerator keys = frame.Keys.GetEnumerator();
        // A second walk of the list runs ahead of the lookups and prefetches, so the keys' bucket misses overlap.
        BinaryKeyList.Enumerator ahead = frame.Keys.GetEnumerator();
        for (int i = 0; i < PipelinePrefetch.KeyDistance && ahead.MoveNext(); i++)
        {
            engine.Prefetch(ahead.Current);
        }
        bool hasKey = keys.MoveNext();
        while (hasKey)
        {
            if (ahead.MoveNext())
            {
                engine.Prefetch(ahead.Current);
            }
            ReadOnlySpan<byte> key = keys.Current;
            hasKey = keys.MoveNext();
            // One reply frame per key, carrying the key; all but the last are marked More.
            var sink = new BinaryReplySink(output, header.Opcode, header.RequestId, acceptCompressed, includeKey: true, more: hasKey);
            CacheStatus status = engine.Get(key, ref sink);
            if (status != CacheStatus.Ok)
            {
                BinaryFrameHeader missing = header.ReplyWith(ToBinary(status)) with
                {
                    Flags = hasKey ? BinaryFrameFlags.More : BinaryFrameFlags.None,
                };
                Reply(output, missing, key, default);
            }
        }
    }

    private void MultiSet(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        WriteOptions options = OptionsFrom(header, WriteCondition.Always);
        BinaryPairList.Enumerator ahead = frame.Pairs.GetEnumerator(); // prefetches, as MultiGet's does
        for (int i = 0; i < PipelinePrefetch.KeyDistance && ahead.MoveNext(); i++)
        {
            engine.Prefetch(ahead.Current.Key);
        }
        foreach (BinaryPair pair in frame.Pairs)
        {
            if (ahead.MoveNext())
            {
                engine.Prefetch(ahead.Current.Key);
            }
            CacheStatus status = engine.Set(pair.Key, pair.Value, options, out _);
            if (status != CacheStatus.Ok)
            {
                // Pairs before this one are stored: MSET is not atomic, and the reply names the first failure.
                Reply(output, header.ReplyWith(ToBinary(status)), pair.Key, default);
                return;
            }
        }
        Reply(output, header.ReplyWith(BinaryStatus.Ok), default, default);
    }

    /// <summary>Drops a snapshot stream the connection did not finish, and gives back the COMMAND reply buffer.</summary>
    public void Dispose()
    {
        _snapshot = null;
        _digest = null;
        _commandReply?.Release();
    }

    private static WriteOptions OptionsFrom(in BinaryFrameHeader header, WriteCondition condition)
    {
        bool absolute = header.Has(BinaryFrameFlags.AbsoluteExpiry);
        return new WriteOptions
        {
            Condition = condition,
            Version = header.Version,
            Flags = header.ItemFlags,
            TimeToLiveMs = absolute ? 0 : header.Expiry,
            ExpiresAtUnixMs = absolute ? header.Expiry : 0,
            KeepTimeToLive = header.Has(BinaryFrameFlags.KeepTtl),
            ValueIsCompressed = header.Has(BinaryFrameFlags.Compressed),
        };
    }

    private static void ReplyStatus(OutputBuffer output, in BinaryFrameHeader request, CacheStatus status, ulong version) =>
        Reply(output, request.ReplyWith(ToBinary(status)) with { Version = version }, default, ReasonOf(status));

    private static void Reply(OutputBuffer output, in BinaryFrameHeader header, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int size = BinaryProtocol.HeaderSize + key.Length + value.Length;
        BinaryCodec.TryWriteReply(header, key, value, output.GetSpan(size), out int written);
        output.Advance(written);
    }

    /// <summary>The wire status of an engine outcome.</summary>
    public static BinaryStatus ToBinary(CacheStatus status) => status switch
    {
        CacheStatus.Ok => BinaryStatus.Ok,
        CacheStatus.NotFound => BinaryStatus.NotFound,
        CacheStatus.Exists => BinaryStatus.Exists,
        CacheStatus.Stale => BinaryStatus.Stale,
        CacheStatus.KeyTooLarge or CacheStatus.ValueTooLarge => BinaryStatus.TooLarge,
        CacheStatus.NotANumber => BinaryStatus.NotANumber,
        CacheStatus.Overflow => BinaryStatus.Overflow,
        CacheStatus.OutOfMemory => BinaryStatus.Busy,
        _ => BinaryStatus.BadRequest,
    };

    /// <summary>A short reason for an error reply's value; empty for outcomes that need none.</summary>
    private static ReadOnlySpan<byte> ReasonOf(CacheStatus status) => status switch
    {
        CacheStatus.KeyTooLarge => "key longer than 250 bytes"u8,
        CacheStatus.ValueTooLarge => "item larger than 1 MiB after compression"u8,
        CacheStatus.InvalidExpiry => "invalid expiry"u8,
        CacheStatus.CorruptValue => "compressed value does not decode"u8,
        CacheStatus.NotANumber => "value is not a 64-bit integer"u8,
        CacheStatus.Overflow => "increment would overflow"u8,
        CacheStatus.OutOfMemory => "no memory could be freed for the item"u8,
        _ => default,
    };
}
