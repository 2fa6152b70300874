using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// Writes an item the engine hands out as one binary reply frame, straight into the output: the value is
/// copied (or decompressed) once, from engine memory to the send buffer, under the shard lock.
/// </summary>
internal readonly struct BinaryReplySink(OutputBuffer output, BinaryOpcode opcode, ulong requestId, bool acceptCompressed,
    bool includeKey, bool more) : IItemSink
{
    public void Accept(in ItemView item)
    {
        bool asStored = item.IsCompressed && acceptCompressed;
        int valueLength = asStored ? item.StoredValue.Length : item.ValueLength;
        ReadOnlySpan<byte> key = includeKey ? item.Key : default;
        BinaryFrameFlags flags = (asStored ? BinaryFrameFlags.Compressed : 0)
            | (item.ExpiresAtUnixMs != 0 ? BinaryFrameFlags.AbsoluteExpiry : 0)
            | (more ? BinaryFrameFlags.More : 0)
            | (item.IsTombstone ? BinaryFrameFlags.Tombstone : 0);
        var header = new BinaryFrameHeader
        {
            Opcode = opcode,
            RequestId = requestId,
            Flags = flags,
            ItemFlags = item.Flags,
            Version = item.Version,
            Expiry = item.ExpiresAtUnixMs,
        };
        int size = BinaryProtocol.HeaderSize + key.Length + valueLength;
        Span<byte> frame = output.GetSpan(size)[..size];
        BinaryCodec.TryWriteReplyHeader(header, key.Length, valueLength, frame, out _);
        key.CopyTo(frame[BinaryProtocol.HeaderSize..]);
        Span<byte> value = frame[(BinaryProtocol.HeaderSize + key.Length)..];
        if (asStored)
        {
            item.StoredValue.CopyTo(value);
        }
        else
        {
            item.TryCopyValueTo(value);
        }
        output.Advance(size);
    }
}
