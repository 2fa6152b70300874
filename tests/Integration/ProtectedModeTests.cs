using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Redis's protected mode on a worker and on the orchestrator: with no password, a client that is not 127.0.0.1 or
/// ::1 is refused with the DENIED explanation and disconnected, unless the server was started with
/// <c>--protected-mode no</c>. A client from 127.0.0.2 (the loopback interface, but not 127.0.0.1) stands for a
/// remote one, as in Redis's own check.
/// </summary>
public sealed class ProtectedModeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly IPAddress Remote = IPAddress.Parse("127.0.0.2");
    private const string Denied = "(error) DENIED Echo Cache is running in protected mode because protected mode is enabled and no password is set for the default user.";

    public static TheoryData<string> Servers => new("worker", "orchestrator");

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_server_bound_to_every_address_without_a_password_refuses_remote_clients(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--bind", "0.0.0.0");
        server.Process.WaitForOutput("with no password: protected mode serves only clients on 127.0.0.1 and ::1");
        using (RespConnection remote = RespConnection.Connect(server.Port, Timeout, Remote))
        {
            RespReply reply = remote.Call("SET", "k", "from afar");
            Assert.StartsWith(Denied, reply.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.",
                reply.Text, StringComparison.Ordinal);
            Assert.True(remote.ReadSeesClose(), "the refused connection stayed open");
        }
        using (RespConnection local = RespConnection.Connect(server.Port, Timeout, IPAddress.Loopback))
        {
            Assert.Equal("(nil)", local.Call("GET", "k").ToString()); // the refused SET did nothing
            Assert.Equal("OK", local.Call("SET", "k", "v").ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_binary_client_is_refused_in_its_own_protocol(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--bind", "0.0.0.0");
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Bind(new IPEndPoint(Remote, 0));
        socket.Connect(IPAddress.Loopback, server.Port);
        socket.Send(RawBinary.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Ping, RequestId = 4 }, [], "hi"u8.ToArray()));
        (BinaryFrameHeader header, string value) = RawBinary.ReadReply(socket);
        Assert.Equal((BinaryOpcode.ConnectionError, BinaryStatus.AuthRequired), (header.Opcode, header.Status));
        Assert.StartsWith("DENIED Echo Cache is running in protected mode", value, StringComparison.Ordinal);
        Assert.Equal(0, socket.Receive(new byte[1]));
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void Protected_mode_no_serves_remote_clients_and_says_so_at_start(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--bind", "0.0.0.0", "--protected-mode", "no");
        server.Process.WaitForOutput("with no password and protected mode off: anyone who reaches the port can read, write and flush");
        using RespConnection remote = RespConnection.Connect(server.Port, Timeout, Remote);
        Assert.Equal("OK", remote.Call("SET", "k", "v").ToString());
        Assert.Equal("\"v\"", remote.Call("GET", "k").ToString());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_password_ends_protected_mode(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--bind", "0.0.0.0", "--requirepass", "pw");
        using RespConnection remote = RespConnection.Connect(server.Port, Timeout, Remote);
        Assert.Equal("(error) NOAUTH Authentication required.", remote.Call("GET", "k").ToString());
        Assert.Equal("OK", remote.Call("AUTH", "pw").ToString());
        Assert.Equal("(nil)", remote.Call("GET", "k").ToString());
    }

    [Fact]
    public void As_in_redis_7_the_bind_address_does_not_matter()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port); // the default, 127.0.0.1
        using RespConnection remote = RespConnection.Connect(port, Timeout, Remote);
        Assert.StartsWith(Denied, remote.Call("PING").ToString(), StringComparison.Ordinal);
    }
}
