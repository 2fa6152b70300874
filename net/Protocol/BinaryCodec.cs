using System.Buffers;
using System.Runtime.CompilerServices;

namespace EchoCache.Net.Protocol;

/// <summary>
/// The native binary protocol's codec (docs/protocol.md): parsers for request and reply frames, and writers that
/// fail cleanly when out of room. Stateless and allocation-free.
/// </summary>
/// <remarks>
/// The seam with the transport is one call: <c>TryParseRequest(input, out frame, out consumed)</c> answers
/// <list type="bullet">
/// <item><see cref="OperationStatus.Done"/>: a whole, valid frame; <c>consumed</c> is its length.</item>
/// <item><see cref="OperationStatus.NeedMoreData"/>: incomplete; nothing consumed; <see cref="BinaryFrame.NeededLength"/> says how much to wait for.</item>
/// <item><see cref="OperationStatus.InvalidData"/>: reply <see cref="BinaryFrame.Error"/>. If <c>consumed</c> &gt; 0 the frame
/// was well delimited: skip it and go on. If <c>consumed</c> is 0 the stream cannot be trusted (wrong magic or version,
/// a length over the cap): reply, then close.</item>
/// </list>
/// Magic, version and the length fields are checked as soon as their bytes arrive, before any body byte is looked at.
/// </remarks>
public static partial class BinaryCodec
{
    /// <summary>Parses one request frame from the start of <paramref name="input"/>.</summary>
    public static OperationStatus TryParseRequest(ReadOnlySpan<byte> input, out BinaryFrame frame, out int consumed)
    {
        OperationStatus status = TryReadFrame(input, BinaryProtocol.RequestMagic, out frame, out consumed);
        if (status == OperationStatus.Done)
        {
            BinaryStatus error = ValidateRequest(input, frame, out ReadOnlySpan<byte> reason);
            if (error != BinaryStatus.Ok)
            {
                frame = new BinaryFrame(error, reason, frame.Header, hasHeader: true);
                return OperationStatus.InvalidData;
            }
        }
        return status;
    }

    /// <summary>Parses one reply frame from the start of <paramref name="input"/> (clients and the orchestrator).</summary>
    public static OperationStatus TryParseReply(ReadOnlySpan<byte> input, out BinaryFrame frame, out int consumed)
    {
        OperationStatus status = TryReadFrame(input, BinaryProtocol.ReplyMagic, out frame, out consumed);
        if (status == OperationStatus.Done)
        {
            BinaryStatus error = ValidateReply(input, frame, out ReadOnlySpan<byte> reason);
            if (error != BinaryStatus.Ok)
            {
                frame = new BinaryFrame(error, reason, frame.Header, hasHeader: true);
                return OperationStatus.InvalidData;
            }
        }
        return status;
    }

    /// <summary>
    /// The key and the length of the request frame at the start of <paramref name="input"/>, read from its header
    /// alone, for a caller that prefetches the keys of the frames ahead before parsing them one at a time. False
    /// unless the bytes open a request header with a length within the cap and the key is all there; it says
    /// nothing of whether the frame is valid, which only <see cref="TryParseRequest"/> decides.
    /// </summary>
    public static bool TryPeekRequestKey(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> key, out int frameLength)
    {
        key = default;
        frameLength = 0;
        if (input.Length < BinaryProtocol.HeaderSize || BinaryFrameHeader.MagicOf(input) != BinaryProtocol.RequestMagic
            || BinaryFrameHeader.VersionOf(input) != BinaryProtocol.ProtocolVersion)
        {
            return false;
        }
        int keyLength = BinaryFrameHeader.KeyLengthOf(input);
        uint valueLength = BinaryFrameHeader.ValueLengthOf(input);
        if (valueLength > (uint)(BinaryProtocol.MaxBodyLength - keyLength) || input.Length < BinaryProtocol.HeaderSize + keyLength)
        {
            return false;
        }
        key = input.Slice(BinaryProtocol.HeaderSize, keyLength);
        frameLength = BinaryProtocol.HeaderSize + keyLength + (int)valueLength;
        return true;
    }

    /// <summary>
    /// Delimits a frame: checks magic, version and the body cap, and waits for the whole frame.
    /// Done here means "framed"; the caller validates the fields.
    /// </summary>
    private static OperationStatus TryReadFrame(ReadOnlySpan<byte> input, byte magic, out BinaryFrame frame, out int consumed)
    {
        consumed = 0;
        if (input.Length < BinaryProtocol.HeaderSize)
        {
            // Fail on a wrong magic or version at once: waiting for 40 bytes of a stream that is not ours helps nobody.
            if (!input.IsEmpty && BinaryFrameHeader.MagicOf(input) != magic)
            {
                frame = Fatal(WrongMagic(BinaryFrameHeader.MagicOf(input), magic), default, hasHeader: false);
                return OperationStatus.InvalidData;
            }
            if (input.Length > 1 && BinaryFrameHeader.VersionOf(input) != BinaryProtocol.ProtocolVersion)
            {
                frame = Fatal("unsupported protocol version"u8, default, hasHeader: false);
                return OperationStatus.InvalidData;
            }
            frame = new BinaryFrame(BinaryProtocol.HeaderSize);
            return OperationStatus.NeedMoreData;
        }
        if (BinaryFrameHeader.MagicOf(input) != magic)
        {
            frame = Fatal(WrongMagic(BinaryFrameHeader.MagicOf(input), magic), default, hasHeader: false);
            return OperationStatus.InvalidData;
        }
        if (BinaryFrameHeader.VersionOf(input) != BinaryProtocol.ProtocolVersion)
        {
            frame = Fatal("unsupported protocol version"u8, default, hasHeader: false);
            return OperationStatus.InvalidData;
        }
        int keyLength = BinaryFrameHeader.KeyLengthOf(input);
        uint valueLength = BinaryFrameHeader.ValueLengthOf(input);
        // The cap is checked on the raw unsigned length, so no value can wrap into a small or negative int.
        if (valueLength > (uint)(BinaryProtocol.MaxBodyLength - keyLength))
        {
            frame = new BinaryFrame(BinaryStatus.TooLarge, "frame body over 64 MiB"u8,
                BinaryFrameHeader.Read(input, valueLength: 0), hasHeader: true);
            return OperationStatus.InvalidData;
        }
        BinaryFrameHeader header = BinaryFrameHeader.Read(input, (int)valueLength);
        int frameLength = BinaryProtocol.HeaderSize + keyLength + (int)valueLength;
        if (input.Length < frameLength)
        {
            frame = new BinaryFrame(frameLength);
            return OperationStatus.NeedMoreData;
        }
        consumed = frameLength;
        frame = new BinaryFrame(header, input.Slice(BinaryProtocol.HeaderSize, keyLength),
            input.Slice(BinaryProtocol.HeaderSize + keyLength, (int)valueLength));
        return OperationStatus.Done;
    }

    private static BinaryFrame Fatal(ReadOnlySpan<byte> reason, scoped in BinaryFrameHeader header, bool hasHeader) =>
        new(BinaryStatus.BadRequest, reason, header, hasHeader);

    private static ReadOnlySpan<byte> WrongMagic(byte found, byte expected) =>
        found == BinaryProtocol.ReplyMagic && expected == BinaryProtocol.RequestMagic ? "reply frame sent as a request"u8
        : found == BinaryProtocol.RequestMagic && expected == BinaryProtocol.ReplyMagic ? "request frame sent as a reply"u8
        : "wrong magic byte"u8;

    /// <summary>Checks a framed request against its opcode's rules; the first failed check decides the answer.</summary>
    private static BinaryStatus ValidateRequest(ReadOnlySpan<byte> input, scoped in BinaryFrame frame, out ReadOnlySpan<byte> reason)
    {
        BinaryFrameHeader header = frame.Header;
        if (BinaryFrameHeader.ReservedOf(input) != 0)
        {
            reason = "reserved header bytes must be 0"u8;
            return BinaryStatus.BadRequest;
        }
        if (header.Status != BinaryStatus.Ok)
        {
            reason = "status must be 0 in a request"u8;
            return BinaryStatus.BadRequest;
        }
        BinaryRule rule = RequestRule(header.Opcode);
        if (rule == BinaryRule.None)
        {
            reason = "unknown opcode"u8;
            return BinaryStatus.BadRequest;
        }
        if (((uint)header.Flags & ~AllowedFlags(rule)) != 0)
        {
            reason = "flag not allowed for this opcode"u8;
            return BinaryStatus.BadRequest;
        }
        if (header.KeyLength > BinaryProtocol.MaxKeyLength)
        {
            reason = "key longer than 250 bytes"u8;
            return BinaryStatus.TooLarge;
        }
        if ((rule & BinaryRule.KeyRequired) != 0)
        {
            if (header.KeyLength == 0)
            {
                reason = "key required"u8;
                return BinaryStatus.BadRequest;
            }
        }
        else if ((rule & BinaryRule.KeyOptional) == 0 && header.KeyLength != 0)
        {
            reason = "this opcode takes no key"u8;
            return BinaryStatus.BadRequest;
        }
        BinaryStatus valueStatus = ValidateValue(rule, frame.Value, out reason);
        if (valueStatus != BinaryStatus.Ok)
        {
            return valueStatus;
        }
        if ((rule & BinaryRule.VersionRequired) != 0)
        {
            if (header.Version == 0)
            {
                reason = "version required"u8;
                return BinaryStatus.BadRequest;
            }
        }
        else if ((rule & BinaryRule.VersionOptional) == 0 && header.Version != 0)
        {
            reason = "this opcode takes no version"u8;
            return BinaryStatus.BadRequest;
        }
        bool expiryUsed = (rule & BinaryRule.ClockInExpiry) != 0
            ? header.Has(BinaryFrameFlags.SenderClock)
            : (rule & BinaryRule.Expiry) != 0;
        if (expiryUsed)
        {
            if (header.Expiry < 0)
            {
                reason = "negative expiry"u8;
                return BinaryStatus.BadRequest;
            }
            if (header.Expiry != 0 && header.Has(BinaryFrameFlags.KeepTtl))
            {
                reason = "expiry given with KeepTtl"u8;
                return BinaryStatus.BadRequest;
            }
        }
        else if (header.Expiry != 0)
        {
            reason = "this opcode takes no expiry"u8;
            return BinaryStatus.BadRequest;
        }
        if ((rule & BinaryRule.ItemFlags) == 0 && header.ItemFlags != 0)
        {
            reason = "this opcode takes no item flags"u8;
            return BinaryStatus.BadRequest;
        }
        reason = default;
        return BinaryStatus.Ok;
    }

    private static BinaryStatus ValidateValue(BinaryRule rule, ReadOnlySpan<byte> value, out ReadOnlySpan<byte> reason)
    {
        reason = default;
        if ((rule & BinaryRule.ValueAny) != 0)
        {
            return BinaryStatus.Ok;
        }
        if ((rule & BinaryRule.ValueCounter) != 0)
        {
            if (value.Length != BinaryProtocol.CounterSize)
            {
                reason = "value must be an 8-byte integer"u8;
                return BinaryStatus.BadRequest;
            }
            return BinaryStatus.Ok;
        }
        if ((rule & BinaryRule.ValueKeys) != 0)
        {
            BinaryStatus status = BinaryKeyList.Validate(value, out _);
            if (status != BinaryStatus.Ok)
            {
                reason = status == BinaryStatus.TooLarge ? "key list over a limit"u8 : "malformed key list"u8;
            }
            return status;
        }
        if ((rule & BinaryRule.ValueSlots) != 0)
        {
            if (!value.IsEmpty && value.Length != SlotBitmap.Size)
            {
                reason = "value must be empty or a 2048-byte slot bitmap"u8;
                return BinaryStatus.BadRequest;
            }
            return BinaryStatus.Ok;
        }
        if ((rule & BinaryRule.ValuePairs) != 0)
        {
            BinaryStatus status = BinaryPairList.Validate(value, out _);
            if (status != BinaryStatus.Ok)
            {
                reason = status == BinaryStatus.TooLarge ? "pair list over a limit"u8 : "malformed pair list"u8;
            }
            return status;
        }
        if (!value.IsEmpty)
        {
            reason = "this opcode takes no value"u8;
            return BinaryStatus.BadRequest;
        }
        return BinaryStatus.Ok;
    }

    /// <summary>
    /// Checks a framed reply: reserved bytes, a known status, a known opcode (an error reply may echo any), a key
    /// within the limit, and flags a reply to that opcode may carry. The meaning of the value is the client's to check.
    /// </summary>
    private static BinaryStatus ValidateReply(ReadOnlySpan<byte> input, scoped in BinaryFrame frame, out ReadOnlySpan<byte> reason)
    {
        BinaryFrameHeader header = frame.Header;
        if (BinaryFrameHeader.ReservedOf(input) != 0)
        {
            reason = "reserved header bytes must be 0"u8;
            return BinaryStatus.BadRequest;
        }
        if (header.Status > BinaryStatus.NotPermitted)
        {
            reason = "unknown status"u8;
            return BinaryStatus.BadRequest;
        }
        // An error reply echoes the request's opcode, known or not (and ConnectionError is 0).
        if (header.Status == BinaryStatus.Ok && RequestRule(header.Opcode) == BinaryRule.None && header.Opcode != BinaryOpcode.Evicted)
        {
            reason = "unknown opcode"u8;
            return BinaryStatus.BadRequest;
        }
        if (((uint)header.Flags & ~ReplyFlags(header.Opcode)) != 0)
        {
            reason = "flag not allowed for this opcode"u8;
            return BinaryStatus.BadRequest;
        }
        if (header.KeyLength > BinaryProtocol.MaxKeyLength)
        {
            reason = "key longer than 250 bytes"u8;
            return BinaryStatus.TooLarge;
        }
        reason = default;
        return BinaryStatus.Ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AllowedFlags(BinaryRule rule) => ((uint)rule >> (int)BinaryRule.FlagsShift) & 0xFF;

    private static BinaryRule Allow(BinaryFrameFlags flags) => (BinaryRule)((uint)flags << (int)BinaryRule.FlagsShift);

    /// <summary>The request rules of each opcode (the table in docs/protocol.md). A switch compiles to a jump table.</summary>
    private static BinaryRule RequestRule(BinaryOpcode opcode)
    {
        const BinaryFrameFlags Compressed = BinaryFrameFlags.Compressed;
        const BinaryFrameFlags Absolute = BinaryFrameFlags.AbsoluteExpiry;
        const BinaryFrameFlags Keep = BinaryFrameFlags.KeepTtl;
        const BinaryFrameFlags Clock = BinaryFrameFlags.SenderClock;
        const BinaryRule Store = BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.ValueAny | BinaryRule.Expiry | BinaryRule.ItemFlags;
        const BinaryRule Count = BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.ValueCounter | BinaryRule.Expiry | BinaryRule.ItemFlags;
        return opcode switch
        {
            BinaryOpcode.Get => BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.ClockInExpiry | Allow(BinaryFrameFlags.AcceptCompressed | Clock),
            BinaryOpcode.Set => Store | Allow(Compressed | Absolute | Keep),
            BinaryOpcode.Add => Store | Allow(Compressed | Absolute),
            BinaryOpcode.Replace => Store | Allow(Compressed | Absolute | Keep),
            BinaryOpcode.Cas => Store | BinaryRule.VersionRequired | Allow(Compressed | Absolute | Keep),
            BinaryOpcode.Delete => BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.VersionOptional,
            BinaryOpcode.Increment or BinaryOpcode.Decrement => Count | Allow(Absolute),
            BinaryOpcode.Touch => BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.Expiry | Allow(Absolute),
            BinaryOpcode.MultiGet => BinaryRule.Known | BinaryRule.ValueKeys | BinaryRule.ClockInExpiry | Allow(BinaryFrameFlags.AcceptCompressed | Clock),
            BinaryOpcode.MultiSet => BinaryRule.Known | BinaryRule.ValuePairs | BinaryRule.Expiry | BinaryRule.ItemFlags | Allow(Absolute),
            BinaryOpcode.Ping => BinaryRule.Known | BinaryRule.ValueAny,
            BinaryOpcode.Stats => BinaryRule.Known | BinaryRule.KeyOptional,
            BinaryOpcode.Auth => BinaryRule.Known | BinaryRule.KeyOptional | BinaryRule.ValueAny,
            BinaryOpcode.Flush => BinaryRule.Known | BinaryRule.VersionOptional,
            BinaryOpcode.ReplicaSet => Store | BinaryRule.VersionRequired | Allow(Compressed | Absolute | Keep),
            BinaryOpcode.ReplicaDelete => BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.VersionRequired,
            BinaryOpcode.ReplicaIncrement => Count | BinaryRule.VersionRequired | Allow(Absolute),
            BinaryOpcode.ReplicaTouch => BinaryRule.Known | BinaryRule.KeyRequired | BinaryRule.Expiry | BinaryRule.VersionRequired | Allow(Absolute),
            BinaryOpcode.Command => BinaryRule.Known | BinaryRule.KeyOptional | BinaryRule.ValueAny | BinaryRule.VersionOptional
                | BinaryRule.ClockInExpiry | BinaryRule.ItemFlags | Allow(BinaryFrameFlags.Resp3 | Clock),
            BinaryOpcode.BinaryCommand => BinaryRule.Known | BinaryRule.ValueAny | BinaryRule.VersionOptional
                | BinaryRule.ClockInExpiry | Allow(Clock),
            BinaryOpcode.Snapshot => BinaryRule.Known | BinaryRule.ValueSlots | BinaryRule.VersionOptional | BinaryRule.Expiry,
            BinaryOpcode.Health => BinaryRule.Known | BinaryRule.VersionOptional | BinaryRule.ClockInExpiry | Allow(Clock),
            BinaryOpcode.LinkChallenge => BinaryRule.Known | BinaryRule.ValueAny,
            BinaryOpcode.LinkJoin => BinaryRule.Known | BinaryRule.VersionRequired | BinaryRule.ValueAny,
            BinaryOpcode.Digest => BinaryRule.Known | BinaryRule.VersionRequired | BinaryRule.Expiry | BinaryRule.ItemFlags,
            _ => BinaryRule.None,
        };
    }

    /// <summary>The flags a reply to <paramref name="opcode"/> may carry.</summary>
    private static uint ReplyFlags(BinaryOpcode opcode)
    {
        const BinaryFrameFlags Any = BinaryFrameFlags.Compressed | BinaryFrameFlags.AbsoluteExpiry;
        return (uint)(opcode switch
        {
            BinaryOpcode.MultiGet or BinaryOpcode.Stats => Any | BinaryFrameFlags.More,
            BinaryOpcode.Snapshot => Any | BinaryFrameFlags.More | BinaryFrameFlags.Tombstone,
            _ => Any,
        });
    }
}
