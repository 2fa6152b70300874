using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// One client request waiting for its reply, in a <see cref="ReplyQueue"/>. Its buffer is kept when the entry is
/// reused, so steady traffic formats replies without allocating.
/// </summary>
internal sealed class ReplyEntry
{
    public byte[] Buffer = [];
    public int Length;
    public bool Done;

    /// <summary>The client's request header (binary: its opcode and request id are echoed).</summary>
    public BinaryFrameHeader Request;

    /// <summary>How the session formats the reply (a session-defined code, e.g. the RESP reply shape).</summary>
    public int Kind;

    /// <summary>Binary MGET: whether the reply frame carries the More flag.</summary>
    public bool More;

    /// <summary>Binary MGET: the key, for a reply frame of a key that was not found.</summary>
    public byte[]? Key;
}
