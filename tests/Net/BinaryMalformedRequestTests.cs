using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>One test per malformed request: what the parser answers, and whether the connection can go on.</summary>
public sealed class BinaryMalformedRequestTests
{
    private static byte[] Valid(BinaryOpcode opcode = BinaryOpcode.Get, string key = "k", string value = "") =>
        BinaryFrames.Request(opcode, key, value, requestId: 99);

    /// <summary>Fatal: nothing consumed, the connection must close after the error reply.</summary>
    private static BinaryFrame ExpectFatal(byte[] input, BinaryStatus error, string reason)
    {
        Assert.Equal(OperationStatus.InvalidData, BinaryCodec.TryParseRequest(input, out BinaryFrame frame, out int consumed));
        Assert.Equal(0, consumed);
        Assert.Equal(error, frame.Error);
        Assert.Equal(reason, Encoding.ASCII.GetString(frame.ErrorText));
        return frame;
    }

    /// <summary>Recoverable: the whole frame is consumed; the connection goes on after the error reply.</summary>
    private static void ExpectSkipped(byte[] input, BinaryStatus error, string reason)
    {
        // Until the whole frame is there, a recoverable error waits like a valid frame would.
        for (int length = 0; length < input.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, BinaryCodec.TryParseRequest(input.AsSpan(0, length), out _, out int none));
            Assert.Equal(0, none);
        }
        Assert.Equal(OperationStatus.InvalidData, BinaryCodec.TryParseRequest(input, out BinaryFrame frame, out int consumed));
        Assert.Equal(input.Length, consumed);
        Assert.Equal(error, frame.Error);
        Assert.Equal(reason, Encoding.ASCII.GetString(frame.ErrorText));
        Assert.True(frame.HasHeader);
        Assert.Equal(99UL, frame.RequestId);
        // The error reply echoes the request's opcode and id.
        Assert.Equal(input[2], (byte)frame.ErrorReply.Opcode);
        Assert.Equal(99UL, frame.ErrorReply.RequestId);
        Assert.Equal(error, frame.ErrorReply.Status);
        byte[] reply = BinaryFrames.Reply(frame.ErrorReply, default, frame.ErrorText);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(reply, out BinaryFrame parsed, out _));
        Assert.Equal(error, parsed.Header.Status);
        Assert.Equal(reason, Encoding.ASCII.GetString(parsed.Value));
    }

    private static byte[] With(byte[] frame, Action<byte[]> change)
    {
        byte[] copy = (byte[])frame.Clone();
        change(copy);
        return copy;
    }

    [Theory]
    [InlineData((byte)'*')]
    [InlineData((byte)'G')]
    [InlineData((byte)0x80)]
    [InlineData((byte)0x00)]
    public void Wrong_magic_is_fatal_from_the_first_byte(byte first)
    {
        ExpectFatal([first], BinaryStatus.BadRequest, "wrong magic byte");
        BinaryFrame frame = ExpectFatal(With(Valid(), f => f[0] = first), BinaryStatus.BadRequest, "wrong magic byte");
        Assert.False(frame.HasHeader);
        // No header to echo: the error reply is a connection error with request id 0.
        Assert.Equal(BinaryOpcode.ConnectionError, frame.ErrorReply.Opcode);
        Assert.Equal(0UL, frame.ErrorReply.RequestId);
        Assert.Equal(BinaryStatus.BadRequest, frame.ErrorReply.Status);
    }

    [Fact]
    public void A_reply_frame_sent_as_a_request_is_fatal() =>
        ExpectFatal(BinaryFrames.Reply(new BinaryFrameHeader { Opcode = BinaryOpcode.Get }), BinaryStatus.BadRequest,
            "reply frame sent as a request");

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(0xFF)]
    public void Wrong_version_is_fatal_from_the_second_byte(byte version)
    {
        ExpectFatal([BinaryProtocol.RequestMagic, version], BinaryStatus.BadRequest, "unsupported protocol version");
        ExpectFatal(With(Valid(), f => f[1] = version), BinaryStatus.BadRequest, "unsupported protocol version");
    }

    [Theory]
    [InlineData(BinaryProtocol.MaxBodyLength + 1u, 0)]
    [InlineData(BinaryProtocol.MaxBodyLength - 250u + 1, 250)]
    [InlineData(0x7FFF_FFFFu, 0)]
    [InlineData(0x8000_0000u, 0)]
    [InlineData(0xFFFF_FFFFu, 1)] // -1 as a signed length
    [InlineData(0xFFFF_FFFEu, 255)]
    public void A_value_length_over_the_cap_is_fatal_as_soon_as_the_header_is_read(uint valueLength, byte keyLength)
    {
        // Only the 40 header bytes are there: the parser refuses without waiting for (or touching) a body.
        byte[] header = With(Valid()[..BinaryProtocol.HeaderSize], f =>
        {
            f[4] = keyLength;
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(8), valueLength);
        });
        BinaryFrame frame = ExpectFatal(header, BinaryStatus.TooLarge, "frame body over 64 MiB");
        Assert.True(frame.HasHeader);
        Assert.Equal(99UL, frame.RequestId);
        Assert.Equal(99UL, frame.ErrorReply.RequestId);
        Assert.Equal(BinaryOpcode.Get, frame.ErrorReply.Opcode);
    }

    [Theory]
    [InlineData(251)]
    [InlineData(255)]
    public void A_key_over_250_bytes_is_too_large_but_skippable(int keyLength) =>
        ExpectSkipped(BinaryFrames.Concat(With(Valid(key: "")[..BinaryProtocol.HeaderSize], f => f[4] = (byte)keyLength),
            new byte[keyLength]), BinaryStatus.TooLarge, "key longer than 250 bytes");

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x10)]
    [InlineData(0x3F)]
    [InlineData(0x46)]
    [InlineData(0x4A)] // EVICTED: a worker's notice, never a request
    [InlineData(0x7F)]
    [InlineData(0xFF)]
    public void Unknown_opcode(byte opcode) =>
        ExpectSkipped(With(Valid(), f => f[2] = opcode), BinaryStatus.BadRequest, "unknown opcode");

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void Reserved_bytes_not_zero(int offset) =>
        ExpectSkipped(With(Valid(), f => f[offset] = 1), BinaryStatus.BadRequest, "reserved header bytes must be 0");

    [Fact]
    public void Status_set_in_a_request() =>
        ExpectSkipped(With(Valid(), f => f[5] = (byte)BinaryStatus.NotFound), BinaryStatus.BadRequest, "status must be 0 in a request");

    [Theory]
    [InlineData(BinaryOpcode.Get, BinaryFrameFlags.Compressed)]
    [InlineData(BinaryOpcode.Get, BinaryFrameFlags.More)]
    [InlineData(BinaryOpcode.Set, BinaryFrameFlags.Tombstone)]
    [InlineData(BinaryOpcode.Set, BinaryFrameFlags.AcceptCompressed)]
    [InlineData(BinaryOpcode.Add, BinaryFrameFlags.KeepTtl)]
    [InlineData(BinaryOpcode.Delete, BinaryFrameFlags.AbsoluteExpiry)]
    [InlineData(BinaryOpcode.Get, (BinaryFrameFlags)0x40)]
    [InlineData(BinaryOpcode.Set, (BinaryFrameFlags)0x80)]
    public void A_flag_the_opcode_does_not_allow(BinaryOpcode opcode, BinaryFrameFlags flag)
    {
        string value = opcode == BinaryOpcode.Delete || opcode == BinaryOpcode.Get ? "" : "v";
        ExpectSkipped(With(Valid(opcode, "k", value), f => f[3] = (byte)flag), BinaryStatus.BadRequest, "flag not allowed for this opcode");
    }

    [Theory]
    [InlineData(BinaryOpcode.Get)]
    [InlineData(BinaryOpcode.Set)]
    [InlineData(BinaryOpcode.Delete)]
    [InlineData(BinaryOpcode.ReplicaDelete)]
    public void A_key_is_required(BinaryOpcode opcode)
    {
        string value = opcode == BinaryOpcode.Set ? "v" : "";
        byte[] frame = BinaryFrames.Request(new BinaryFrameHeader { Opcode = opcode, RequestId = 99, Version = 1 }, [], BinaryFrames.Bytes(value));
        ExpectSkipped(frame, BinaryStatus.BadRequest, "key required");
    }

    [Theory]
    [InlineData(BinaryOpcode.Ping)]
    [InlineData(BinaryOpcode.Flush)]
    [InlineData(BinaryOpcode.Snapshot)]
    [InlineData(BinaryOpcode.Health)]
    [InlineData(BinaryOpcode.Digest)]
    public void A_key_where_the_opcode_takes_none(BinaryOpcode opcode) =>
        ExpectSkipped(Valid(opcode, "k"), BinaryStatus.BadRequest, "this opcode takes no key");

    [Theory]
    [InlineData(1)]
    [InlineData(2047)]
    [InlineData(2049)]
    [InlineData(4096)]
    public void A_snapshot_filter_that_is_not_a_slot_bitmap(int length) =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot, RequestId = 99 }, [], new byte[length]),
            BinaryStatus.BadRequest, "value must be empty or a 2048-byte slot bitmap");

    [Fact]
    public void A_digest_without_a_cutoff_version() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Digest, RequestId = 99, Expiry = 5 }, [], []),
            BinaryStatus.BadRequest, "version required");

    [Fact]
    public void A_digest_with_a_value() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Digest, RequestId = 99, Version = 5 }, [], new byte[SlotBitmap.Size]),
            BinaryStatus.BadRequest, "this opcode takes no value");

    [Theory]
    [InlineData(BinaryOpcode.Snapshot)]
    [InlineData(BinaryOpcode.Digest)]
    public void A_negative_horizon(BinaryOpcode opcode) =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = opcode, RequestId = 99, Version = 5, Expiry = -1 }, [], []),
            BinaryStatus.BadRequest, "negative expiry");

    [Fact]
    public void A_snapshot_with_a_key_filter() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot, RequestId = 99, ItemFlags = 0x0001_0003 }, [], []),
            BinaryStatus.BadRequest, "this opcode takes no item flags");

    [Theory]
    [InlineData(BinaryOpcode.Snapshot)]
    [InlineData(BinaryOpcode.Digest)]
    public void A_clock_flag_where_the_expiry_is_a_horizon(BinaryOpcode opcode) =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = opcode, RequestId = 99, Version = 5, Flags = BinaryFrameFlags.SenderClock, Expiry = 5 }, [], []),
            BinaryStatus.BadRequest, "flag not allowed for this opcode");

    [Theory]
    [InlineData(BinaryOpcode.Get)]
    [InlineData(BinaryOpcode.Delete)]
    [InlineData(BinaryOpcode.Touch)]
    [InlineData(BinaryOpcode.Stats)]
    public void A_value_where_the_opcode_takes_none(BinaryOpcode opcode) =>
        ExpectSkipped(Valid(opcode, "k", "x"), BinaryStatus.BadRequest, "this opcode takes no value");

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    public void Incr_delta_not_8_bytes(int length) =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Increment, RequestId = 99 }, "k"u8, new byte[length]),
            BinaryStatus.BadRequest, "value must be an 8-byte integer");

    [Theory]
    [InlineData(BinaryOpcode.Cas)]
    [InlineData(BinaryOpcode.ReplicaSet)]
    [InlineData(BinaryOpcode.ReplicaDelete)]
    [InlineData(BinaryOpcode.ReplicaIncrement)]
    [InlineData(BinaryOpcode.ReplicaTouch)]
    public void Version_0_where_one_is_required(BinaryOpcode opcode)
    {
        byte[] value = opcode switch
        {
            BinaryOpcode.Cas or BinaryOpcode.ReplicaSet => "v"u8.ToArray(),
            BinaryOpcode.ReplicaIncrement => BinaryFrames.Counter(1),
            _ => [],
        };
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = opcode, RequestId = 99 }, "k"u8, value),
            BinaryStatus.BadRequest, "version required");
    }

    [Fact]
    public void Version_where_the_opcode_takes_none() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = 99, Version = 5 }, "k"u8),
            BinaryStatus.BadRequest, "this opcode takes no version");

    [Fact]
    public void Negative_expiry() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 99, Expiry = -1 }, "k"u8, "v"u8),
            BinaryStatus.BadRequest, "negative expiry");

    [Fact]
    public void Expiry_given_with_keep_ttl() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 99, Expiry = 10, Flags = BinaryFrameFlags.KeepTtl }, "k"u8, "v"u8),
            BinaryStatus.BadRequest, "expiry given with KeepTtl");

    [Fact]
    public void Expiry_where_the_opcode_takes_none() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = 99, Expiry = 10 }, "k"u8),
            BinaryStatus.BadRequest, "this opcode takes no expiry");

    [Fact]
    public void Item_flags_where_the_opcode_takes_none() =>
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Delete, RequestId = 99, ItemFlags = 1 }, "k"u8),
            BinaryStatus.BadRequest, "this opcode takes no item flags");

    public static TheoryData<string, byte[], BinaryStatus> BadKeyLists => new()
    {
        { "empty body", [], BinaryStatus.BadRequest },
        { "one byte of a prefix", [1], BinaryStatus.BadRequest },
        { "empty key", [0, 0], BinaryStatus.BadRequest },
        { "key overruns the body", [3, 0, (byte)'a', (byte)'b'], BinaryStatus.BadRequest },
        { "trailing byte", [1, 0, (byte)'a', 9], BinaryStatus.BadRequest },
        { "key of 251 bytes", [251, 0, .. new byte[251]], BinaryStatus.TooLarge },
        { "key length 0xFFFF", [0xFF, 0xFF, (byte)'a'], BinaryStatus.TooLarge },
        { "more than 16384 keys", Enumerable.Repeat<byte[]>([1, 0, (byte)'k'], BinaryProtocol.MaxBatchCount + 1).SelectMany(b => b).ToArray(), BinaryStatus.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadKeyLists))]
    public void Malformed_mget_body(string name, byte[] body, BinaryStatus expected)
    {
        Assert.NotNull(name);
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.MultiGet, RequestId = 99 }, [], body),
            expected, expected == BinaryStatus.TooLarge ? "key list over a limit" : "malformed key list");
    }

    [Fact]
    public void An_mget_of_16384_keys_is_accepted()
    {
        byte[] body = Enumerable.Repeat<byte[]>([1, 0, (byte)'k'], BinaryProtocol.MaxBatchCount).SelectMany(b => b).ToArray();
        byte[] frame = BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.MultiGet }, [], body);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(frame, out _, out _));
    }

    public static TheoryData<string, byte[], BinaryStatus> BadPairLists => new()
    {
        { "empty body", [], BinaryStatus.BadRequest },
        { "five bytes of prefixes", [1, 0, 1, 0, 0], BinaryStatus.BadRequest },
        { "empty key", [0, 0, 1, 0, 0, 0, (byte)'v'], BinaryStatus.BadRequest },
        { "value overruns the body", [1, 0, 5, 0, 0, 0, (byte)'k', (byte)'v'], BinaryStatus.BadRequest },
        { "value length 0xFFFFFFFF", [1, 0, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'k', (byte)'v'], BinaryStatus.BadRequest },
        { "value length 0x80000000", [1, 0, 0, 0, 0, 0x80, (byte)'k', (byte)'v'], BinaryStatus.BadRequest },
        { "trailing byte", [1, 0, 1, 0, 0, 0, (byte)'k', (byte)'v', 0], BinaryStatus.BadRequest },
        { "key of 251 bytes", [251, 0, 0, 0, 0, 0, .. new byte[251]], BinaryStatus.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadPairLists))]
    public void Malformed_mset_body(string name, byte[] body, BinaryStatus expected)
    {
        Assert.NotNull(name);
        ExpectSkipped(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.MultiSet, RequestId = 99 }, [], body),
            expected, expected == BinaryStatus.TooLarge ? "pair list over a limit" : "malformed pair list");
    }
}
