using System.Buffers;
using System.Net;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net.Security;

/// <summary>A worker's connection in protected mode: refused at its first bytes, in the protocol they chose.</summary>
public sealed class ProtectedModeSessionTests : IDisposable
{
    private readonly CacheEngine _engine = new(new EngineOptions { MemoryLimit = 16L << 20 });

    public void Dispose() => _engine.Dispose();

    private (WorkerSession Session, string Written) Connect(string address, AccessControl access, byte[] input)
    {
        var session = new WorkerSession(_engine, new WorkerStats(), access);
        session.Attach(new FakeClientConnection(new IPEndPoint(IPAddress.Parse(address), 40000), new IPEndPoint(IPAddress.Any, 6379), 9));
        var output = new OutputBuffer();
        Assert.Equal(input.Length, session.Process(input, output));
        return (session, Encoding.Latin1.GetString(output.Bytes, output.SentOffset, output.Pending));
    }

    [Fact]
    public void A_remote_resp_client_gets_denied_and_the_connection_closes()
    {
        var access = new AccessControl(null, protectedMode: true);
        (WorkerSession session, string written) = Connect("127.0.0.2", access, RespFrames.Command("SET", "k", "v"));
        Assert.StartsWith("-DENIED Echo Cache is running in protected mode", written, StringComparison.Ordinal);
        Assert.True(session.CloseRequested);
        Assert.Equal(0, _engine.Count);
        var output = new OutputBuffer();
        Assert.Equal(5, session.Process("more\n"u8, output)); // anything later is dropped unread
        Assert.Equal(0, output.Pending);
    }

    [Fact]
    public void A_remote_binary_client_gets_a_connection_error_frame()
    {
        var access = new AccessControl(null, protectedMode: true);
        (WorkerSession session, string written) = Connect("10.0.0.5", access, BinaryFrames.Request(BinaryOpcode.Set, "k", "v"));
        byte[] bytes = Encoding.Latin1.GetBytes(written);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(bytes, out BinaryFrame frame, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal((BinaryOpcode.ConnectionError, BinaryStatus.AuthRequired), (frame.Header.Opcode, frame.Header.Status));
        Assert.StartsWith("DENIED Echo Cache is running in protected mode", Encoding.ASCII.GetString(frame.Value), StringComparison.Ordinal);
        Assert.True(session.CloseRequested);
        Assert.Equal(0, _engine.Count);
    }

    [Theory]
    [InlineData("127.0.0.1", true, false, "$-1\r\n")]
    [InlineData("::1", true, false, "$-1\r\n")]
    [InlineData("127.0.0.2", false, false, "$-1\r\n")] // --protected-mode no
    [InlineData("127.0.0.2", true, true, "-NOAUTH Authentication required.\r\n")] // a password ends protected mode
    public void Who_is_served(string address, bool protectedMode, bool password, string reply)
    {
        var access = new AccessControl(password ? new Password("secret") : null, protectedMode);
        (WorkerSession session, string written) = Connect(address, access, RespFrames.Command("GET", "k"));
        Assert.Equal(reply, written);
        Assert.False(session.CloseRequested);
    }
}
