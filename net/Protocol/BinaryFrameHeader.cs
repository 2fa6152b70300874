using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace EchoCache.Net.Protocol;

/// <summary>
/// The fixed 40-byte header that opens every binary frame, request or reply. Little-endian throughout:
/// every CPU we run on is, so each field is one plain load, and the engine's compressed values (u32 LE
/// length prefix) travel as they are.
/// </summary>
/// <remarks>
/// <code>
/// offset size field         meaning
///  0     u8   magic         0xEC request, 0xED reply
///  1     u8   version       1
///  2     u8   opcode        BinaryOpcode
///  3     u8   flags         BinaryFrameFlags
///  4     u8   key length    0..250
///  5     u8   status        BinaryStatus in a reply; 0 in a request
///  6     u16  reserved      0
///  8     u32  value length  key length + value length &lt;= 64 MiB
/// 12     u32  item flags    opaque client flags stored with the item
/// 16     u64  request id    opaque, echoed in every reply frame of the request
/// 24     u64  version       item version / CAS token
/// 32     i64  expiry        milliseconds: time to live, or Unix time with AbsoluteExpiry; 0 = none
/// 40          key, then value
/// </code>
/// </remarks>
public readonly struct BinaryFrameHeader
{
    private const int OffsetMagic = 0;
    private const int OffsetVersion = 1;
    private const int OffsetOpcode = 2;
    private const int OffsetFlags = 3;
    private const int OffsetKeyLength = 4;
    private const int OffsetStatus = 5;
    private const int OffsetReserved = 6;
    private const int OffsetValueLength = 8;
    private const int OffsetItemFlags = 12;
    private const int OffsetRequestId = 16;
    private const int OffsetItemVersion = 24;
    private const int OffsetExpiry = 32;

    /// <summary>The command (a reply carries its request's).</summary>
    public BinaryOpcode Opcode { get; init; }

    /// <summary>Frame flags.</summary>
    public BinaryFrameFlags Flags { get; init; }

    /// <summary>The outcome, in a reply; <see cref="BinaryStatus.Ok"/> (0) in a request.</summary>
    public BinaryStatus Status { get; init; }

    /// <summary>Opaque client flags stored with the item (memcached's flags).</summary>
    public uint ItemFlags { get; init; }

    /// <summary>Chosen by the sender of a request; echoed in every reply frame to it.</summary>
    public ulong RequestId { get; init; }

    /// <summary>Item version / CAS token: expected (CAS, DEL), to store (replica writes), or the item's (replies).</summary>
    public ulong Version { get; init; }

    /// <summary>Milliseconds: a time to live, or a Unix time when <see cref="BinaryFrameFlags.AbsoluteExpiry"/> is set; 0 = none.</summary>
    public long Expiry { get; init; }

    /// <summary>Length of the key that follows the header (set by the parser; writers take it from the key).</summary>
    public int KeyLength { get; internal init; }

    /// <summary>Length of the value that follows the key (set by the parser; writers take it from the value).</summary>
    public int ValueLength { get; internal init; }

    /// <summary>Header, key and value: the bytes the frame occupies.</summary>
    public int FrameLength => BinaryProtocol.HeaderSize + KeyLength + ValueLength;

    /// <summary>Whether <paramref name="flag"/> is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Has(BinaryFrameFlags flag) => (Flags & flag) != 0;

    /// <summary>
    /// A reply header to this request: same opcode and request id, the given status, every other field 0.
    /// </summary>
    public BinaryFrameHeader ReplyWith(BinaryStatus status) => new()
    {
        Opcode = Opcode,
        RequestId = RequestId,
        Status = status,
    };

    /// <summary>Encodes the header; the caller has checked that 40 bytes are there and that the lengths fit.</summary>
    internal void Write(Span<byte> destination, byte magic, int keyLength, int valueLength)
    {
        // One bounds check for the whole header; the writes below then need none.
        Span<byte> header = destination[..BinaryProtocol.HeaderSize];
        header[OffsetMagic] = magic;
        header[OffsetVersion] = BinaryProtocol.ProtocolVersion;
        header[OffsetOpcode] = (byte)Opcode;
        header[OffsetFlags] = (byte)Flags;
        header[OffsetKeyLength] = (byte)keyLength;
        header[OffsetStatus] = (byte)Status;
        BinaryPrimitives.WriteUInt16LittleEndian(header[OffsetReserved..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[OffsetValueLength..], (uint)valueLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[OffsetItemFlags..], ItemFlags);
        BinaryPrimitives.WriteUInt64LittleEndian(header[OffsetRequestId..], RequestId);
        BinaryPrimitives.WriteUInt64LittleEndian(header[OffsetItemVersion..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(header[OffsetExpiry..], Expiry);
    }

    /// <summary>Magic byte of a header at the start of <paramref name="source"/>.</summary>
    internal static byte MagicOf(ReadOnlySpan<byte> source) => source[OffsetMagic];

    /// <summary>Version byte of a header at the start of <paramref name="source"/>.</summary>
    internal static byte VersionOf(ReadOnlySpan<byte> source) => source[OffsetVersion];

    /// <summary>Key length byte of a 40-byte header.</summary>
    internal static int KeyLengthOf(ReadOnlySpan<byte> header) => header[OffsetKeyLength];

    /// <summary>Raw value length of a 40-byte header, unchecked: compare it with the cap before use.</summary>
    internal static uint ValueLengthOf(ReadOnlySpan<byte> header) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header[OffsetValueLength..]);

    /// <summary>The two reserved bytes of a 40-byte header.</summary>
    internal static ushort ReservedOf(ReadOnlySpan<byte> header) =>
        BinaryPrimitives.ReadUInt16LittleEndian(header[OffsetReserved..]);

    /// <summary>
    /// Decodes the fields of a 40-byte header whose value length was already checked against the cap.
    /// Opcode, flags and status are taken as they are; the parser validates them.
    /// </summary>
    internal static BinaryFrameHeader Read(ReadOnlySpan<byte> source, int valueLength)
    {
        ReadOnlySpan<byte> header = source[..BinaryProtocol.HeaderSize];
        return new BinaryFrameHeader
        {
            Opcode = (BinaryOpcode)header[OffsetOpcode],
            Flags = (BinaryFrameFlags)header[OffsetFlags],
            KeyLength = header[OffsetKeyLength],
            Status = (BinaryStatus)header[OffsetStatus],
            ValueLength = valueLength,
            ItemFlags = BinaryPrimitives.ReadUInt32LittleEndian(header[OffsetItemFlags..]),
            RequestId = BinaryPrimitives.ReadUInt64LittleEndian(header[OffsetRequestId..]),
            Version = BinaryPrimitives.ReadUInt64LittleEndian(header[OffsetItemVersion..]),
            Expiry = BinaryPrimitives.ReadInt64LittleEndian(header[OffsetExpiry..]),
        };
    }
}
