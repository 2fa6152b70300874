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

    /// <summary>A member of a group (<see cref="ReplyQueue.ReserveGroup"/>): the sequence of the group's head; -1 otherwise.</summary>
    public long GroupHead = -1;

    /// <summary>A group's head: members not yet complete, plus one until the group is sealed.</summary>
    public int GroupPending;

    /// <summary>A group's head: what its members added up to (keys found, for a multi-key DEL or EXISTS).</summary>
    public long GroupSum;

    /// <summary>A group's head: the first failure among its members, or Ok.</summary>
    public BinaryStatus GroupFailure;

    /// <summary>A group's head: the first member reply that was a RESP error, sent as the group's reply.</summary>
    public byte[]? GroupError;

    /// <summary>A group's head: what its members' replies gathered (KEYS's elements, RANDOMKEY's key).</summary>
    public byte[] GroupBytes = [];

    /// <summary>The length of <see cref="GroupBytes"/> in use.</summary>
    public int GroupLength;

    /// <summary>Binary MGET: whether the reply frame carries the More flag.</summary>
    public bool More;

    private byte[] _key = [];
    private int _keyLength;

    /// <summary>Binary MGET: the key, for a reply frame of a key that was not found (empty otherwise).</summary>
    public ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    /// <summary>Sets <see cref="Key"/>, in a buffer the entry keeps for its next MGET key.</summary>
    public void SetKey(ReadOnlySpan<byte> key)
    {
        if (_key.Length < key.Length)
        {
            _key = new byte[Math.Max(key.Length, 32)];
        }
        key.CopyTo(_key);
        _keyLength = key.Length;
    }

    /// <summary>Clears <see cref="Key"/> for the entry's next request.</summary>
    public void ClearKey() => _keyLength = 0;
}
