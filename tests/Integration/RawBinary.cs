using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>The binary protocol over a bare socket, for tests that send what no client would (a header alone, from 127.0.0.2).</summary>
internal static class RawBinary
{
    /// <summary>Reads one reply frame (the socket's receive timeout bounds each read); its header, and its value as ASCII.</summary>
    public static (BinaryFrameHeader Header, string Value) ReadReply(Socket socket)
    {
        byte[] header = new byte[BinaryProtocol.HeaderSize];
        RawResp.ReadExactly(socket, header);
        int body = header[4] + (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)); // key length + value length
        byte[] rest = new byte[body];
        RawResp.ReadExactly(socket, rest);
        byte[] frame = [.. header, .. rest];
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(frame, out BinaryFrame parsed, out int consumed));
        Assert.Equal(frame.Length, consumed);
        return (parsed.Header, Encoding.ASCII.GetString(parsed.Value));
    }

    /// <summary>One request frame's bytes.</summary>
    public static byte[] Request(BinaryFrameHeader header, byte[] key, byte[] value)
    {
        byte[] frame = new byte[BinaryProtocol.HeaderSize + key.Length + value.Length];
        Assert.True(BinaryCodec.TryWriteRequest(header, key, value, frame, out int written));
        return frame[..written];
    }
}
