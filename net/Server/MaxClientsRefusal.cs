using EchoCache.Net.Protocol;

namespace EchoCache.Net.Server;

/// <summary>
/// The handler of a connection accepted past <see cref="ServerOptions.MaxConnections"/>: its first byte picks the
/// protocol, as on any connection, and it is answered in that protocol and closed, nothing it sent executed. RESP gets
/// Redis's <c>-ERR max number of clients reached</c>; the binary protocol a connection-error frame (opcode 0x00,
/// request id 0) with status BUSY and the same text (docs/protocol.md, 8.3). A connection that sends nothing is closed
/// after <see cref="SocketServer.RefusalWait"/>. Redis writes its refusal at once, not knowing a protocol; here it waits
/// for the first byte so a binary client reads a frame, not an error line it would take for a bad reply.
/// </summary>
internal sealed class MaxClientsRefusal : IConnectionHandler
{
    /// <summary>The text of the refusal, Redis's (networking.c, acceptCommonHandler).</summary>
    public static ReadOnlySpan<byte> Message => "max number of clients reached"u8;

    private static readonly byte[] RespReply = CreateRespReply();
    private static readonly byte[] BinaryReply = CreateBinaryReply();

    private bool _answered;

    /// <summary>What a refused client gets, in the protocol its first byte chose.</summary>
    public static ReadOnlySpan<byte> Reply(bool binary) => binary ? BinaryReply : RespReply;

    /// <inheritdoc />
    public void Attach(IClientConnection connection)
    {
    }

    /// <inheritdoc />
    public int Process(ReadOnlySpan<byte> input, OutputBuffer output)
    {
        if (!_answered && !input.IsEmpty)
        {
            output.Write(Reply(BinaryProtocol.IsBinaryProtocol(input[0])));
            _answered = true;
        }
        return input.Length;
    }

    /// <inheritdoc />
    public void ContinueStream(OutputBuffer output)
    {
    }

    /// <inheritdoc />
    public bool IsStreaming => false;

    /// <inheritdoc />
    public bool CloseRequested => _answered;

    /// <inheritdoc />
    public void OnClosed()
    {
    }

    private static byte[] CreateRespReply()
    {
        byte[] reply = new byte[Message.Length + 16]; // "-ERR ", the message, CRLF
        RespWriter.TryWriteError("ERR max number of clients reached"u8, reply, out int written);
        return reply[..written];
    }

    private static byte[] CreateBinaryReply()
    {
        byte[] reply = new byte[BinaryProtocol.HeaderSize + Message.Length];
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.ConnectionError, Status = BinaryStatus.Busy };
        BinaryCodec.TryWriteReply(header, default, Message, reply, out int written);
        return reply[..written];
    }
}
