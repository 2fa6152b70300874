using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

/// <summary>
/// One parsed binary frame. <see cref="Key"/> and <see cref="Value"/> point into the parser's input (nothing is
/// copied), so the frame is valid only while those bytes are. What it holds depends on the parse result:
/// <list type="bullet">
/// <item><c>Done</c>: <see cref="Header"/>, <see cref="Key"/> and <see cref="Value"/>; every field was checked.</item>
/// <item><c>NeedMoreData</c>: <see cref="NeededLength"/>, how many bytes the input must hold for the next attempt.</item>
/// <item><c>InvalidData</c>: <see cref="Error"/> and <see cref="ErrorText"/> to reply with, and <see cref="Header"/>
/// when <see cref="HasHeader"/> (so the reply can carry the request id).</item>
/// </list>
/// </summary>
public readonly ref struct BinaryFrame
{
    internal BinaryFrame(scoped in BinaryFrameHeader header, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Header = header;
        Key = key;
        Value = value;
        HasHeader = true;
    }

    internal BinaryFrame(int neededLength) => NeededLength = neededLength;

    internal BinaryFrame(BinaryStatus error, ReadOnlySpan<byte> errorText, scoped in BinaryFrameHeader header, bool hasHeader)
    {
        Error = error;
        ErrorText = errorText;
        Header = header;
        HasHeader = hasHeader;
    }

    /// <summary>The header (default when <see cref="HasHeader"/> is false).</summary>
    public BinaryFrameHeader Header { get; }

    /// <summary>
    /// Whether all 40 header bytes were read (always after <c>Done</c>). After a body length over the cap, the
    /// header is there but its <see cref="BinaryFrameHeader.ValueLength"/> reads 0.
    /// </summary>
    public bool HasHeader { get; }

    /// <summary>The key bytes (empty when the opcode takes none).</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value bytes, as sent (compressed when the header says so).</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>After <c>InvalidData</c>: the status to answer with (<see cref="BinaryStatus.BadRequest"/> or <see cref="BinaryStatus.TooLarge"/>).</summary>
    public BinaryStatus Error { get; }

    /// <summary>After <c>InvalidData</c>: a short ASCII reason, for the error reply's value (and logs).</summary>
    public ReadOnlySpan<byte> ErrorText { get; }

    /// <summary>After <c>NeedMoreData</c>: the input length the next attempt needs (40, then the whole frame).</summary>
    public int NeededLength { get; }

    /// <summary>
    /// After <c>InvalidData</c>: the header of the error reply to send (with <see cref="ErrorText"/> as its value):
    /// the request's opcode and id when the header was read, else <see cref="BinaryOpcode.ConnectionError"/> and id 0.
    /// </summary>
    public BinaryFrameHeader ErrorReply => HasHeader
        ? Header.ReplyWith(Error)
        : new BinaryFrameHeader { Opcode = BinaryOpcode.ConnectionError, Status = Error };

    /// <summary>The header's opcode.</summary>
    public BinaryOpcode Opcode => Header.Opcode;

    /// <summary>The header's request id.</summary>
    public ulong RequestId => Header.RequestId;

    /// <summary>The keys of an MGET body (checked by the parser).</summary>
    public BinaryKeyList Keys => new(Value);

    /// <summary>The key/value pairs of an MSET body (checked by the parser).</summary>
    public BinaryPairList Pairs => new(Value);

    /// <summary>
    /// The signed 64-bit integer of an 8-byte value: the delta of INCR / DECR / REPLICA_INCR, or the new value in
    /// their OK reply. 0 if the value is not 8 bytes.
    /// </summary>
    public long Counter => Value.Length == BinaryProtocol.CounterSize ? BinaryPrimitives.ReadInt64LittleEndian(Value) : 0;
}
