using System.Net;
using System.Net.Sockets;
using EchoCache.Engine;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net;

/// <summary>
/// A <see cref="SocketServer"/> refuses a port another socket listens on with a <see cref="ListenException"/> naming
/// the endpoint, whether the other listened before its bind or only between its bind and its <see cref="SocketServer.Start"/>.
/// </summary>
public sealed class SocketServerListenTests : IDisposable
{
    private readonly CacheEngine _engine = new(new EngineOptions { MemoryLimit = 16L << 20 });
    private readonly EventLoopGroup _loops = new(1, "test loop", TimeSpan.FromMicroseconds(50));

    private SocketServer Server(int port) =>
        new(new IPEndPoint(IPAddress.Loopback, port), () => new WorkerSession(_engine, new WorkerStats()), _loops);

    [Fact]
    public void A_port_another_server_listens_on_is_refused_at_bind()
    {
        using SocketServer first = Server(0);
        first.Start();
        int port = first.LocalEndPoint.Port;

        ListenException refused = Assert.Throws<ListenException>(() => Server(port));
        Assert.Equal(SocketError.AddressAlreadyInUse, refused.Error);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), refused.EndPoint);
        Assert.Equal($"cannot listen on 127.0.0.1:{port}: the port is in use by another process", refused.Message);
        Assert.IsType<SocketException>(refused.InnerException);
    }

    [Fact]
    public void Of_two_servers_bound_to_one_port_only_the_first_to_start_listens()
    {
        using SocketServer first = Server(0);
        int port = first.LocalEndPoint.Port;
        // Neither listens yet: SO_REUSEADDR lets both bind; the kernel lets only one listen.
        using SocketServer second = Server(port);
        first.Start();

        ListenException refused = Assert.Throws<ListenException>(second.Start);
        Assert.Equal(SocketError.AddressAlreadyInUse, refused.Error);
        Assert.Equal($"cannot listen on 127.0.0.1:{port}: the port is in use by another process", refused.Message);

        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        client.Connect(IPAddress.Loopback, port);
        client.Send("PING\r\n"u8);
        byte[] reply = new byte[7];
        int read = 0;
        while (read < reply.Length)
        {
            int n = client.Receive(reply, read, reply.Length - read, SocketFlags.None);
            Assert.True(n > 0, "the server closed the connection");
            read += n;
        }
        Assert.Equal("+PONG\r\n"u8.ToArray(), reply);
        Assert.Equal(1, first.ConnectionCount);
        Assert.Equal(0, second.ConnectionCount);
    }

    public void Dispose()
    {
        _loops.Dispose();
        _engine.Dispose();
    }
}
