using System.Buffers;
using System.Buffers.Binary;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

public sealed class BinaryRequestParserTests
{
    public static TheoryData<string> RequestNames => new(BinaryFrames.ValidRequests().Select(r => r.Name));

    private static (BinaryFrameHeader Header, byte[] Key, byte[] Value, byte[] Frame) Case(string name)
    {
        var c = BinaryFrames.ValidRequests().Single(r => r.Name == name);
        return (c.Header, c.Key, c.Value, BinaryFrames.Request(c.Header, c.Key, c.Value));
    }

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void Writer_then_parser_round_trips_every_field(string name)
    {
        var (header, key, value, frame) = Case(name);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(frame, out BinaryFrame parsed, out int consumed));
        Assert.Equal(frame.Length, consumed);
        Assert.True(parsed.HasHeader);
        Assert.Equal(header.Opcode, parsed.Header.Opcode);
        Assert.Equal(header.Flags, parsed.Header.Flags);
        Assert.Equal(BinaryStatus.Ok, parsed.Header.Status);
        Assert.Equal(header.RequestId, parsed.Header.RequestId);
        Assert.Equal(header.Version, parsed.Header.Version);
        Assert.Equal(header.Expiry, parsed.Header.Expiry);
        Assert.Equal(header.ItemFlags, parsed.Header.ItemFlags);
        Assert.Equal(key.Length, parsed.Header.KeyLength);
        Assert.Equal(value.Length, parsed.Header.ValueLength);
        Assert.Equal(frame.Length, parsed.Header.FrameLength);
        Assert.Equal(key, parsed.Key.ToArray());
        Assert.Equal(value, parsed.Value.ToArray());
    }

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void The_key_peek_agrees_with_the_parser_and_needs_the_header_and_the_key(string name)
    {
        var (_, key, _, frame) = Case(name);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(frame, out BinaryFrame parsed, out int consumed));
        Assert.True(BinaryCodec.TryPeekRequestKey(frame, out ReadOnlySpan<byte> peeked, out int length));
        Assert.Equal(parsed.Key.ToArray(), peeked.ToArray());
        Assert.Equal(consumed, length);
        for (int prefix = 0; prefix < frame.Length; prefix++)
        {
            bool whole = prefix >= BinaryProtocol.HeaderSize + key.Length;
            Assert.Equal(whole, BinaryCodec.TryPeekRequestKey(frame.AsSpan(0, prefix), out peeked, out length));
            if (whole)
            {
                Assert.Equal(key, peeked.ToArray());
                Assert.Equal(frame.Length, length);
            }
        }
    }

    [Fact]
    public void The_key_peek_refuses_replies_foreign_bytes_and_lengths_over_the_cap()
    {
        byte[] request = BinaryFrames.Request(BinaryOpcode.Get, "key");
        byte[] reply = BinaryFrames.Reply(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = 1 }, default, BinaryFrames.Bytes("v"));
        Assert.False(BinaryCodec.TryPeekRequestKey(reply, out _, out _));
        byte[] wrongVersion = [.. request];
        wrongVersion[1] = 2;
        Assert.False(BinaryCodec.TryPeekRequestKey(wrongVersion, out _, out _));
        Assert.False(BinaryCodec.TryPeekRequestKey(BinaryFrames.Bytes(new string('*', 64)), out _, out _));
        byte[] oversized = [.. request];
        BinaryPrimitives.WriteUInt32LittleEndian(oversized.AsSpan(8), uint.MaxValue);
        Assert.False(BinaryCodec.TryPeekRequestKey(oversized, out _, out _));
    }

    [Fact]
    public void Every_opcode_has_a_round_trip_case()
    {
        var covered = BinaryFrames.ValidRequests().Select(r => r.Header.Opcode).ToHashSet();
        // ConnectionError and Evicted are never requests.
        Assert.Equal(Enum.GetValues<BinaryOpcode>().Where(o => o is not (BinaryOpcode.ConnectionError or BinaryOpcode.Evicted)).ToHashSet(), covered);
    }

    [Theory]
    [MemberData(nameof(RequestNames))]
    public void Every_strict_prefix_is_incomplete_and_consumes_nothing(string name)
    {
        byte[] frame = Case(name).Frame;
        for (int length = 0; length < frame.Length; length++)
        {
            OperationStatus status = BinaryCodec.TryParseRequest(frame.AsSpan(0, length), out BinaryFrame parsed, out int consumed);
            Assert.Equal(OperationStatus.NeedMoreData, status);
            Assert.Equal(0, consumed);
            Assert.InRange(parsed.NeededLength, length + 1, frame.Length);
        }
    }

    [Fact]
    public void The_parsed_key_and_value_point_into_the_input()
    {
        byte[] frame = BinaryFrames.Request(BinaryOpcode.Set, "k", "value");
        BinaryCodec.TryParseRequest(frame, out BinaryFrame parsed, out _);
        frame[BinaryProtocol.HeaderSize] = (byte)'z';
        frame[^1] = (byte)'!';
        Assert.Equal("z"u8.ToArray(), parsed.Key.ToArray());
        Assert.Equal("valu!"u8.ToArray(), parsed.Value.ToArray());
    }

    [Fact]
    public void Mget_keys_and_mset_pairs_enumerate_in_order()
    {
        var (_, _, _, mget) = Case("MGET");
        BinaryCodec.TryParseRequest(mget, out BinaryFrame frame, out _);
        var keys = new List<string>();
        foreach (ReadOnlySpan<byte> key in frame.Keys)
        {
            keys.Add(System.Text.Encoding.UTF8.GetString(key));
        }
        Assert.Equal(["a", "bb", new string('c', 250)], keys);

        var (_, _, _, mset) = Case("MSET");
        BinaryCodec.TryParseRequest(mset, out frame, out _);
        var pairs = new List<(string, string)>();
        foreach (BinaryPair pair in frame.Pairs)
        {
            pairs.Add((System.Text.Encoding.UTF8.GetString(pair.Key), System.Text.Encoding.UTF8.GetString(pair.Value)));
        }
        Assert.Equal([("a", "1"), ("bb", ""), ("ccc", "333")], pairs);
    }

    [Fact]
    public void Counter_reads_the_delta_of_incr()
    {
        BinaryCodec.TryParseRequest(Case("DECR").Frame, out BinaryFrame frame, out _);
        Assert.Equal(long.MinValue, frame.Counter);
        BinaryCodec.TryParseRequest(Case("REPLICA_INCR").Frame, out frame, out _);
        Assert.Equal(-4, frame.Counter);
    }

    [Fact]
    public void Pipelined_frames_in_one_buffer_parse_one_after_another()
    {
        byte[][] frames = BinaryFrames.ValidRequests().Select(r => BinaryFrames.Request(r.Header, r.Key, r.Value)).ToArray();
        byte[] stream = BinaryFrames.Concat(frames);
        int position = 0;
        foreach (byte[] expected in frames)
        {
            Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(stream.AsSpan(position), out BinaryFrame frame, out int consumed));
            Assert.Equal(expected.Length, consumed);
            Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(expected.AsSpan(16)), frame.RequestId);
            position += consumed;
        }
        Assert.Equal(stream.Length, position);
        Assert.Equal(OperationStatus.NeedMoreData, BinaryCodec.TryParseRequest(stream.AsSpan(position), out _, out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void A_frame_split_across_two_reads_parses_at_every_split_point()
    {
        byte[] first = BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 1, Expiry = 5 }, "key"u8, "value"u8);
        byte[] second = BinaryFrames.Request(BinaryOpcode.Get, "key", requestId: 2);
        byte[] stream = BinaryFrames.Concat(first, second);
        for (int split = 0; split <= stream.Length; split++)
        {
            var ids = new List<ulong>();
            var buffer = new List<byte>(stream[..split]);
            Drain(buffer, ids);
            buffer.AddRange(stream[split..]);
            Drain(buffer, ids);
            Assert.Equal([1UL, 2UL], ids);
            Assert.Empty(buffer);
        }

        static void Drain(List<byte> buffer, List<ulong> ids)
        {
            while (true)
            {
                byte[] input = buffer.ToArray();
                OperationStatus status = BinaryCodec.TryParseRequest(input, out BinaryFrame frame, out int consumed);
                if (status == OperationStatus.NeedMoreData)
                {
                    Assert.Equal(0, consumed);
                    return;
                }
                Assert.Equal(OperationStatus.Done, status);
                ids.Add(frame.RequestId);
                buffer.RemoveRange(0, consumed);
            }
        }
    }

    [Fact]
    public void A_recoverable_error_consumes_its_frame_and_the_next_frame_still_parses()
    {
        byte[] bad = BinaryFrames.Request(BinaryOpcode.Get, "", requestId: 7); // GET without a key
        byte[] good = BinaryFrames.Request(BinaryOpcode.Get, "k", requestId: 8);
        byte[] stream = BinaryFrames.Concat(bad, good);
        Assert.Equal(OperationStatus.InvalidData, BinaryCodec.TryParseRequest(stream, out BinaryFrame frame, out int consumed));
        Assert.Equal(bad.Length, consumed);
        Assert.Equal(7UL, frame.RequestId);
        Assert.Equal(BinaryStatus.BadRequest, frame.Error);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(stream.AsSpan(consumed), out frame, out consumed));
        Assert.Equal(8UL, frame.RequestId);
        Assert.Equal(good.Length, consumed);
    }

    [Fact]
    public void The_largest_body_is_accepted_and_waited_for()
    {
        byte[] header = BinaryFrames.Request(BinaryOpcode.Ping);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), BinaryProtocol.MaxBodyLength);
        Assert.Equal(OperationStatus.NeedMoreData, BinaryCodec.TryParseRequest(header, out BinaryFrame frame, out int consumed));
        Assert.Equal(0, consumed);
        Assert.Equal(BinaryProtocol.MaxFrameLength, frame.NeededLength);
    }

    [Fact]
    public void The_largest_frame_parses()
    {
        var frame = new byte[BinaryProtocol.MaxFrameLength];
        byte[] key = new byte[BinaryProtocol.MaxKeyLength];
        Assert.True(BinaryCodec.TryWriteRequestHeader(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 3 },
            key.Length, BinaryProtocol.MaxBodyLength - key.Length, frame, out _));
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(frame, out BinaryFrame parsed, out int consumed));
        Assert.Equal(frame.Length, consumed);
        Assert.Equal(BinaryProtocol.MaxBodyLength - key.Length, parsed.Value.Length);
    }
}
