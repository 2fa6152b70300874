using System.Buffers;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>Parsing a request and writing its reply allocate nothing, in either protocol, once warmed up.</summary>
public sealed class ProtocolAllocationTests
{
    private const int Rounds = 1000;

    private static long AllocatedBy(Action action)
    {
        for (int i = 0; i < 3; i++)
        {
            action(); // warm up: JIT tiers, static data, grown parser tables
        }
        return ThreadAllocations.Measure(action);
    }

    [Fact]
    public void Binary_parse_and_reply_allocate_nothing()
    {
        byte[] stream = BinaryFrames.Concat(BinaryFrames.ValidRequests().Select(r => BinaryFrames.Request(r.Header, r.Key, r.Value)).ToArray());
        byte[] output = new byte[4096];
        long sink = 0;
        long allocated = AllocatedBy(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                int position = 0;
                while (BinaryCodec.TryParseRequest(stream.AsSpan(position), out BinaryFrame frame, out int consumed) == OperationStatus.Done)
                {
                    position += consumed;
                    foreach (ReadOnlySpan<byte> key in frame.Keys)
                    {
                        sink += key.Length;
                    }
                    foreach (BinaryPair pair in frame.Pairs)
                    {
                        sink += pair.Value.Length;
                    }
                    BinaryFrameHeader reply = frame.Header.ReplyWith(BinaryStatus.Ok) with { Version = 9 };
                    BinaryCodec.TryWriteReply(reply, frame.Key, frame.Value, output, out int written);
                    BinaryCodec.TryParseReply(output.AsSpan(0, written), out BinaryFrame parsed, out _);
                    sink += parsed.Value.Length + written;
                }
                // An error path too: it answers with a static reason.
                BinaryCodec.TryParseRequest([0x2A], out BinaryFrame bad, out _);
                sink += bad.ErrorText.Length;
            }
        });
        Assert.True(sink > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Resp_parse_and_reply_allocate_nothing()
    {
        byte[] stream =
        [
            .. RespFrames.Commands().SelectMany(c => RespFrames.Command(c)),
            .. RespFrames.Ascii("SET k v\r\nECHO \"quoted \\x41\" 'and single'\r\n*0\r\n"),
        ];
        var parser = new RespParser();
        byte[] output = new byte[4096];
        long sink = 0;
        long allocated = AllocatedBy(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                int position = 0;
                while (parser.TryParse(stream.AsSpan(position), out RespRequest request, out int consumed) == OperationStatus.Done)
                {
                    position += consumed;
                    int at = 0;
                    RespWriter.TryWriteArrayHeader(request.Count, output, out int written);
                    at += written;
                    for (int i = 0; i < request.Count; i++)
                    {
                        RespWriter.TryWriteBulkString(request[i], output.AsSpan(at), out written);
                        at += written;
                    }
                    RespWriter.TryWriteSimpleString("OK"u8, output.AsSpan(at), out written);
                    at += written;
                    RespWriter.TryWriteInteger(request.Count, output.AsSpan(at), out written);
                    at += written;
                    RespWriter.TryWriteDouble(3.25, RespVersion.Resp3, output.AsSpan(at), out written);
                    at += written;
                    RespWriter.TryWriteNull(RespVersion.Resp2, output.AsSpan(at), out written);
                    at += written;
                    RespWriter.TryWriteMapHeader(1, RespVersion.Resp3, output.AsSpan(at), out written);
                    at += written;
                    RespWriter.TryWriteBoolean(true, RespVersion.Resp3, output.AsSpan(at), out written);
                    at += written;
                    RespWriter.TryWriteError("ERR no"u8, output.AsSpan(at), out written);
                    sink += at + written;
                }
                parser.TryParse("*1\r\n:1\r\n"u8, out _, out _);
                RespWriter.TryWriteProtocolError(parser.Error, output, out int errorLength);
                sink += errorLength;
            }
        });
        Assert.True(sink > 0);
        Assert.Equal(0, allocated);
    }
}
