using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using EchoCache.Tests.Integration;

namespace EchoCache.Tests.Net;

/// <summary>
/// An idle connection gives its buffers back to the server's pool within a few idle checks, and the next request
/// on it works as before (each buffer is rented again).
/// </summary>
public sealed class IdleConnectionTests
{
    [Fact]
    public async Task Idle_connections_give_their_buffers_back_and_serve_the_next_request()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        using var loops = new EventLoopGroup(1, "test loop", TimeSpan.FromMicroseconds(50));
        using var server = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(engine, new WorkerStats()), loops);
        server.Start();
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
                client.Connect(IPAddress.Loopback, server.LocalEndPoint.Port);
                clients.Add(client);
                Assert.Equal("+OK\r\n", RoundTrip(client, $"SET key{i} value{i}\r\n", 5));
            }
            int busy = server.PooledBuffers; // each connection holds an input and an output buffer

            // Idle: within QuietChecksBeforeTrim (2) checks of a second, both buffers of each go back to the pool.
            var waited = Stopwatch.StartNew();
            while (server.PooledBuffers < busy + (2 * clients.Count) && waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }
            Assert.Equal(busy + (2 * clients.Count), server.PooledBuffers);

            for (int i = 0; i < clients.Count; i++)
            {
                Assert.Equal($"$6\r\nvalue{i}\r\n", RoundTrip(clients[i], $"GET key{i}\r\n", 12));
            }
            Assert.Equal(busy, server.PooledBuffers); // rented again
            Assert.Equal(0, server.HandlerFailures);
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static string RoundTrip(Socket client, string request, int replyLength)
    {
        client.Send(Encoding.ASCII.GetBytes(request));
        byte[] reply = new byte[replyLength];
        RawResp.ReadExactly(client, reply);
        return Encoding.ASCII.GetString(reply);
    }
}
