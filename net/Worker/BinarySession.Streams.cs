using System.Buffers.Binary;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

// The requests that walk the whole table: SNAPSHOT (a stream of item frames, for a resync or a copy check's repair)
// and DIGEST (one frame of per-slot sums, for a copy check). Both walk a few thousand buckets per call of
// ContinueStream, and the loop serves its other connections between calls, so a walk over millions of items never
// holds the loop for long (docs/protocol.md, "SNAPSHOT" and "DIGEST").
public sealed partial class BinarySession
{
    // Buckets walked per call of ContinueStream: bounds the time one call takes when the walk writes little (a
    // filtered snapshot, a digest), as a full output bounds it when it writes much.
    private const int BucketsPerCall = 4096;
    private const int BucketsPerRead = 64;

    private ulong _streamRequestId;
    private long _streamItems;
    private byte[]? _streamSlots;
    private ulong _streamCeiling;
    private long _streamHorizon;
    private SlotDigest? _digest;
    private KeyFilter _digestFilter;

    /// <summary>
    /// Starts a SNAPSHOT stream: every item and tombstone, or with a filter only those of the value's slot bitmap, at
    /// or below the version ceiling, leaving out live items expiring at or before the horizon (the expiry field).
    /// </summary>
    private void StartSnapshot(scoped in BinaryFrame frame)
    {
        _snapshot = engine.CreateSnapshot();
        _streamRequestId = frame.Header.RequestId;
        _streamItems = 0;
        _streamSlots = frame.Value.IsEmpty ? null : frame.Value.ToArray();
        _streamCeiling = frame.Header.Version;
        _streamHorizon = frame.Header.Expiry;
    }

    /// <summary>
    /// Starts a DIGEST walk: per slot of the key filter (item flags), the count and summed hashes of the live items at
    /// or below the cutoff (version) that do not expire at or before the horizon (expiry).
    /// </summary>
    private void StartDigest(in BinaryFrameHeader header)
    {
        _snapshot = engine.CreateSnapshot();
        _streamRequestId = header.RequestId;
        _digest = new SlotDigest();
        _digestFilter = KeyFilter.FromWire(header.ItemFlags);
        _streamCeiling = header.Version;
        _streamHorizon = header.Expiry;
    }

    /// <inheritdoc cref="IConnectionHandler.ContinueStream"/>
    public void ContinueStream(OutputBuffer output)
    {
        SnapshotCursor? cursor = _snapshot;
        if (cursor == null)
        {
            return;
        }
        if (_digest != null)
        {
            ContinueDigest(cursor, _digest, output);
            return;
        }
        var sink = new SnapshotFilterSink(
            new BinaryReplySink(output, BinaryOpcode.Snapshot, _streamRequestId, acceptCompressed: true, includeKey: true, more: true),
            _streamSlots, _streamCeiling, _streamHorizon);
        for (int budget = BucketsPerCall; budget > 0 && !output.IsFull && !cursor.IsComplete; budget -= BucketsPerRead)
        {
            cursor.Read(ref sink, BucketsPerRead);
        }
        _streamItems += sink.Written;
        if (cursor.IsComplete)
        {
            // The end frame: no More flag, and the count of item frames sent so the receiver can check it.
            Span<byte> count = stackalloc byte[BinaryProtocol.SnapshotEndSize];
            BinaryPrimitives.WriteInt64LittleEndian(count, _streamItems);
            Reply(output, new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot, RequestId = _streamRequestId }, default, count);
            _snapshot = null;
            _streamSlots = null;
        }
    }

    private void ContinueDigest(SnapshotCursor cursor, SlotDigest digest, OutputBuffer output)
    {
        var sink = new DigestSink(digest, _digestFilter, _streamCeiling, _streamHorizon);
        for (int budget = BucketsPerCall; budget > 0 && !cursor.IsComplete; budget -= BucketsPerRead)
        {
            cursor.Read(ref sink, BucketsPerRead);
        }
        if (!cursor.IsComplete)
        {
            return;
        }
        int size = BinaryProtocol.HeaderSize + digest.EncodedSize;
        Span<byte> frame = output.GetSpan(size)[..size];
        BinaryCodec.TryWriteReplyHeader(new BinaryFrameHeader { Opcode = BinaryOpcode.Digest, RequestId = _streamRequestId },
            0, digest.EncodedSize, frame, out _);
        digest.Write(frame[BinaryProtocol.HeaderSize..]);
        output.Advance(size);
        _snapshot = null;
        _digest = null;
    }
}
