using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>Writes a reply frame with the client's opcode and request id around a worker's (or the orchestrator's) outcome.</summary>
internal readonly ref struct BinaryReplyFormat(in ClusterReply reply) : IReplyFormat
{
    /// <summary><see cref="ReplyEntry.Kind"/> of a request whose reply frames a worker wrote whole (a forwarded request).</summary>
    public const int Verbatim = 1;

    private readonly ClusterReply _reply = reply;

    public int MaxSize(ReplyEntry entry) =>
        BinaryProtocol.HeaderSize + Math.Max(_reply.Key.Length, entry.Key.Length) + _reply.Value.Length;

    public int Write(ReplyEntry entry, Span<byte> destination)
    {
        if (entry.Kind == Verbatim && _reply.Status == BinaryStatus.Ok && _reply.Value.Length >= BinaryProtocol.HeaderSize)
        {
            _reply.Value.CopyTo(destination); // the inner request carried the client's opcode and request id
            return _reply.Value.Length;
        }
        BinaryFrameHeader request = entry.Request;
        BinaryFrameHeader worker = _reply.Header;
        var header = new BinaryFrameHeader
        {
            Opcode = request.Opcode,
            RequestId = request.RequestId,
            Status = _reply.Status,
            Flags = (worker.Flags & ~BinaryFrameFlags.More) | (entry.More ? BinaryFrameFlags.More : 0),
            ItemFlags = worker.ItemFlags,
            Version = worker.Version,
            Expiry = worker.Expiry,
        };
        // MGET frames carry their key, found or not.
        BinaryCodec.TryWriteReply(header, entry.Key, _reply.Value, destination, out int written);
        return written;
    }

    /// <summary>Binary commands have no grouped replies: each MGET key has a frame of its own.</summary>
    public void Fold(ReplyEntry head) => throw new InvalidOperationException("a binary reply is never part of a group");
}
