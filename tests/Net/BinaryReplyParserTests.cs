using System.Buffers;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

public sealed class BinaryReplyParserTests
{
    public static TheoryData<string> ReplyNames => new(BinaryFrames.ValidReplies().Select(r => r.Name));

    private static (BinaryFrameHeader Header, byte[] Key, byte[] Value, byte[] Frame) Case(string name)
    {
        var c = BinaryFrames.ValidReplies().Single(r => r.Name == name);
        return (c.Header, c.Key, c.Value, BinaryFrames.Reply(c.Header, c.Key, c.Value));
    }

    [Theory]
    [MemberData(nameof(ReplyNames))]
    public void Writer_then_parser_round_trips_every_field(string name)
    {
        var (header, key, value, frame) = Case(name);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(frame, out BinaryFrame parsed, out int consumed));
        Assert.Equal(frame.Length, consumed);
        Assert.Equal(header.Opcode, parsed.Header.Opcode);
        Assert.Equal(header.Flags, parsed.Header.Flags);
        Assert.Equal(header.Status, parsed.Header.Status);
        Assert.Equal(header.RequestId, parsed.Header.RequestId);
        Assert.Equal(header.Version, parsed.Header.Version);
        Assert.Equal(header.Expiry, parsed.Header.Expiry);
        Assert.Equal(header.ItemFlags, parsed.Header.ItemFlags);
        Assert.Equal(key, parsed.Key.ToArray());
        Assert.Equal(value, parsed.Value.ToArray());
    }

    [Fact]
    public void Every_opcode_and_status_has_a_reply_case()
    {
        var replies = BinaryFrames.ValidReplies().ToList();
        Assert.Subset(replies.Select(r => r.Header.Opcode).ToHashSet(), Enum.GetValues<BinaryOpcode>().ToHashSet());
        Assert.Equal(Enum.GetValues<BinaryStatus>().ToHashSet(), replies.Select(r => r.Header.Status).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(ReplyNames))]
    public void Every_strict_prefix_is_incomplete_and_consumes_nothing(string name)
    {
        byte[] frame = Case(name).Frame;
        for (int length = 0; length < frame.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, BinaryCodec.TryParseReply(frame.AsSpan(0, length), out BinaryFrame parsed, out int consumed));
            Assert.Equal(0, consumed);
            Assert.InRange(parsed.NeededLength, length + 1, frame.Length);
        }
    }

    [Fact]
    public void A_snapshot_stream_reads_items_until_the_end_frame()
    {
        byte[] stream = BinaryFrames.Concat(Case("SNAPSHOT item").Frame, Case("SNAPSHOT tombstone").Frame, Case("SNAPSHOT end").Frame);
        int position = 0, items = 0, tombstones = 0;
        long announced = -1;
        while (announced < 0)
        {
            Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(stream.AsSpan(position), out BinaryFrame frame, out int consumed));
            position += consumed;
            Assert.Equal(BinaryOpcode.Snapshot, frame.Opcode);
            if (frame.Header.Has(BinaryFrameFlags.More))
            {
                items++;
                tombstones += frame.Header.Has(BinaryFrameFlags.Tombstone) ? 1 : 0;
                Assert.Equal("user:1001", Encoding.ASCII.GetString(frame.Key));
            }
            else
            {
                Assert.Equal(0, frame.Key.Length);
                announced = frame.Counter;
            }
        }
        Assert.Equal(stream.Length, position);
        Assert.Equal(2, items);
        Assert.Equal(1, tombstones);
        Assert.Equal(2, announced);
    }

    [Fact]
    public void Health_reply_value_round_trips()
    {
        BinaryCodec.TryParseReply(Case("HEALTH").Frame, out BinaryFrame frame, out _);
        Assert.True(BinaryHealth.TryRead(frame.Value, out BinaryHealth health));
        Assert.Equal(0xDEADBEEFUL, health.InstanceId);
        Assert.Equal(1234UL, health.UptimeMs);
        Assert.Equal(10UL, health.Items);
        Assert.Equal(1UL << 20, health.MemoryUsed);
        Assert.Equal(64UL << 20, health.MemoryLimit);
        Assert.False(BinaryHealth.TryRead(frame.Value[..^1], out _));
        Assert.False(new BinaryHealth().TryWrite(new byte[BinaryHealth.Size - 1], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Reply_with_copies_opcode_and_request_id_only()
    {
        var request = new BinaryFrameHeader { Opcode = BinaryOpcode.Cas, RequestId = 77, Version = 5, Expiry = 9, ItemFlags = 3, Flags = BinaryFrameFlags.KeepTtl };
        BinaryFrameHeader reply = request.ReplyWith(BinaryStatus.Exists);
        Assert.Equal(BinaryOpcode.Cas, reply.Opcode);
        Assert.Equal(77UL, reply.RequestId);
        Assert.Equal(BinaryStatus.Exists, reply.Status);
        Assert.Equal(0UL, reply.Version);
        Assert.Equal(0L, reply.Expiry);
        Assert.Equal(0U, reply.ItemFlags);
        Assert.Equal(BinaryFrameFlags.None, reply.Flags);
    }

    private static void ExpectInvalid(byte[] frame, bool fatal, BinaryStatus error, string reason)
    {
        Assert.Equal(OperationStatus.InvalidData, BinaryCodec.TryParseReply(frame, out BinaryFrame parsed, out int consumed));
        Assert.Equal(fatal ? 0 : frame.Length, consumed);
        Assert.Equal(error, parsed.Error);
        Assert.Equal(reason, Encoding.ASCII.GetString(parsed.ErrorText));
    }

    [Fact]
    public void A_request_frame_read_as_a_reply_is_fatal() =>
        ExpectInvalid(BinaryFrames.Request(BinaryOpcode.Get, "k"), fatal: true, BinaryStatus.BadRequest, "request frame sent as a reply");

    [Fact]
    public void Wrong_magic_in_a_reply_is_fatal() =>
        ExpectInvalid([(byte)'+', (byte)'O', (byte)'K'], fatal: true, BinaryStatus.BadRequest, "wrong magic byte");

    [Fact]
    public void Unknown_status() =>
        ExpectInvalid(BinaryFrames.Reply(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, Status = (BinaryStatus)0x0F }),
            fatal: false, BinaryStatus.BadRequest, "unknown status");

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x20)]
    [InlineData(0xFF)]
    public void Unknown_opcode_in_a_successful_reply(byte opcode) =>
        ExpectInvalid(BinaryFrames.Reply(new BinaryFrameHeader { Opcode = (BinaryOpcode)opcode }),
            fatal: false, BinaryStatus.BadRequest, "unknown opcode");

    [Theory]
    [InlineData(BinaryOpcode.Get, BinaryFrameFlags.More)]
    [InlineData(BinaryOpcode.MultiGet, BinaryFrameFlags.Tombstone)]
    [InlineData(BinaryOpcode.Set, BinaryFrameFlags.KeepTtl)]
    [InlineData(BinaryOpcode.Get, BinaryFrameFlags.AcceptCompressed)]
    public void A_flag_a_reply_to_that_opcode_cannot_carry(BinaryOpcode opcode, BinaryFrameFlags flag) =>
        ExpectInvalid(BinaryFrames.Reply(new BinaryFrameHeader { Opcode = opcode, Flags = flag }),
            fatal: false, BinaryStatus.BadRequest, "flag not allowed for this opcode");

    [Fact]
    public void A_reply_body_over_the_cap_is_fatal()
    {
        byte[] frame = BinaryFrames.Reply(new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
        frame[8] = 0xFF; frame[9] = 0xFF; frame[10] = 0xFF; frame[11] = 0xFF;
        ExpectInvalid(frame, fatal: true, BinaryStatus.TooLarge, "frame body over 64 MiB");
    }
}
