using System.Buffers;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

public sealed class BinaryWriterTests
{
    /// <summary>
    /// The layout of docs/protocol.md, byte for byte: SET "k1" = "v", TTL 60 s, item flags 0x2A, request id 7.
    /// </summary>
    [Fact]
    public void The_request_layout_matches_the_specification()
    {
        byte[] expected =
        [
            0xEC, 0x01, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, // magic, version, SET, flags, key length 2, status, reserved
            0x01, 0x00, 0x00, 0x00,                         // value length 1
            0x2A, 0x00, 0x00, 0x00,                         // item flags 42
            0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // request id 7
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // version 0
            0x60, 0xEA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // expiry 60000 ms
            0x6B, 0x31,                                     // "k1"
            0x76,                                           // "v"
        ];
        byte[] written = BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 7, ItemFlags = 42, Expiry = 60_000 }, "k1"u8, "v"u8);
        Assert.Equal(expected, written);
    }

    [Fact]
    public void The_reply_layout_matches_the_specification()
    {
        byte[] expected =
        [
            0xED, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, // magic, version, SET, flags, no key, status OK, reserved
            0x00, 0x00, 0x00, 0x00,                         // no value
            0x00, 0x00, 0x00, 0x00,                         // item flags
            0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // request id 7, echoed
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // version 1: the item's new CAS token
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // expiry
        ];
        Assert.Equal(expected, BinaryFrames.Reply(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 7, Version = 1 }));
    }

    [Fact]
    public void The_key_list_and_pair_list_layouts_match_the_specification()
    {
        Assert.Equal([0x01, 0x00, 0x61, 0x02, 0x00, 0x62, 0x62], BinaryFrames.Keys("a", "bb"));
        Assert.Equal([0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x61, 0x78, 0x79], BinaryFrames.Pairs(("a", "xy")));
    }

    [Fact]
    public void Writers_return_false_and_write_nothing_when_out_of_room()
    {
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 5 };
        byte[] key = "key"u8.ToArray(), value = "value"u8.ToArray();
        int size = BinaryProtocol.HeaderSize + key.Length + value.Length;
        for (int room = 0; room < size; room++)
        {
            var destination = new byte[room];
            Array.Fill(destination, (byte)0xAA);
            Assert.False(BinaryCodec.TryWriteRequest(header, key, value, destination, out int written));
            Assert.Equal(0, written);
            Assert.False(BinaryCodec.TryWriteReply(header, key, value, destination, out written));
            Assert.Equal(0, written);
            Assert.All(destination, b => Assert.Equal(0xAA, b));
        }
        for (int room = 0; room < BinaryProtocol.HeaderSize; room++)
        {
            Assert.False(BinaryCodec.TryWriteRequestHeader(header, 3, 5, new byte[room], out int written));
            Assert.Equal(0, written);
            Assert.False(BinaryCodec.TryWriteReplyHeader(header, 3, 5, new byte[room], out written));
            Assert.Equal(0, written);
        }
        for (int room = 0; room < BinaryCodec.BatchKeySize(3); room++)
        {
            Assert.False(BinaryCodec.TryWriteBatchKey(key, new byte[room], out int written));
            Assert.Equal(0, written);
        }
        for (int room = 0; room < BinaryCodec.BatchPairSize(3, 5); room++)
        {
            Assert.False(BinaryCodec.TryWriteBatchPair(key, value, new byte[room], out int written));
            Assert.Equal(0, written);
        }
    }

    [Fact]
    public void A_header_written_alone_then_the_body_makes_the_same_frame()
    {
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = 9, Version = 4, Flags = BinaryFrameFlags.Compressed };
        byte[] whole = BinaryFrames.Reply(header, default, "stored"u8);
        var pieces = new byte[whole.Length];
        Assert.True(BinaryCodec.TryWriteReplyHeader(header, 0, 6, pieces, out int written));
        Assert.Equal(BinaryProtocol.HeaderSize, written);
        "stored"u8.CopyTo(pieces.AsSpan(written));
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void The_parsed_header_lengths_are_ignored_by_writers()
    {
        byte[] original = BinaryFrames.Request(BinaryOpcode.Set, "long-key", "long-value");
        BinaryCodec.TryParseRequest(original, out BinaryFrame frame, out _);
        byte[] rewritten = BinaryFrames.Request(frame.Header, "k"u8, "v"u8);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseRequest(rewritten, out frame, out int consumed));
        Assert.Equal(rewritten.Length, consumed);
        Assert.Equal(1, frame.Header.KeyLength);
        Assert.Equal(1, frame.Header.ValueLength);
    }

    [Fact]
    public void Writers_refuse_what_no_peer_would_accept()
    {
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.Set };
        var big = new byte[BinaryProtocol.MaxBodyLength];
        var destination = new byte[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.TryWriteRequest(header, new byte[251], default, destination, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.TryWriteRequest(header, "k"u8, big, destination, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.TryWriteReplyHeader(header, -1, 0, destination, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.TryWriteReplyHeader(header, 0, -1, destination, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.TryWriteBatchKey(default, destination, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCodec.TryWriteBatchPair(new byte[251], default, destination, out _));
    }

    [Fact]
    public void The_first_byte_tells_binary_from_resp()
    {
        Assert.True(BinaryProtocol.IsBinaryProtocol(BinaryProtocol.RequestMagic));
        foreach (byte b in "*$+-:PGSDIMAEQHCphgsdimaeqc\r\n \t"u8)
        {
            Assert.False(BinaryProtocol.IsBinaryProtocol(b));
        }
    }
}
