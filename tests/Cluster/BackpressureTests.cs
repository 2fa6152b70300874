using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EchoCache.Engine;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Cluster;

/// <summary>
/// A client that pipelines requests and never reads the replies stops being read (by the orchestrator, whose
/// replies outstanding per client are capped; by a worker, which reads again only once its replies are out),
/// the server's loop goes on serving everyone else, and when the client finally reads, every request it sent
/// gets its reply.
/// </summary>
public sealed class BackpressureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_orchestrator_stops_reading_a_client_that_never_reads_and_serves_the_others()
    {
        using InProcessCluster cluster = await InProcessCluster.StartAsync();
        // The greedy client is the orchestrator's second connection: its requests taken are those its session reserved;
        // settled once every one taken is answered (the workers' late replies wake the loop too).
        EchoCache.Net.Cluster.ClusterSession? Greedy() => cluster.Sessions.Length > 1 ? cluster.Sessions[1].Session : null;
        await AssertBackpressureAsync(cluster.Orchestrator.LocalEndPoint.Port,
            () => Greedy()?.Replies.Reserved ?? 0,
            () => Greedy() is { } session && session.Replies.Unanswered == 0);
        Assert.Equal(0, cluster.LoopFaults);
    }

    [Fact]
    public async Task A_worker_stops_reading_a_client_that_never_reads_and_serves_the_others()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        using var loops = new EventLoopGroup(1, "test loop", TimeSpan.FromMicroseconds(50)); // the polling wait, as the worker's default
        // Each connection's session counts its own commands: the greedy client's is the second.
        var stats = new List<WorkerStats>();
        using var worker = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () =>
        {
            var own = new WorkerStats();
            lock (stats) stats.Add(own);
            return new WorkerSession(engine, own);
        }, loops);
        worker.Start();
        await AssertBackpressureAsync(worker.LocalEndPoint.Port, () =>
        {
            lock (stats) return stats.Count > 1 ? stats[1].CommandsProcessed : 0;
        }, () => true);
        Assert.Equal(0, worker.HandlerFailures);
    }

    /// <param name="taken">Requests the server has taken from the greedy client so far.</param>
    /// <param name="settled">Whether every request it took is answered (nothing the server waits on but the client).</param>
    private static async Task AssertBackpressureAsync(int port, Func<long> taken, Func<bool> settled)
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);
        byte[] key = "big"u8.ToArray();
        byte[] value = new byte[1024];
        for (int i = 0; i < value.Length; i++) value[i] = (byte)i;
        await using EchoClient other = await EchoClient.ConnectAsync("127.0.0.1", port);
        Assert.Equal(BinaryStatus.Ok, (await other.SetAsync(key, value)).Status);

        // The greedy client sends GETs of the 1 KiB value until the server stops taking them: its socket is full, and
        // across two turns of the server's loop (a PING from the other client, served by the same loop thread, marks a
        // turn) the server takes none of them, with nothing of its own left to finish. Nothing but the greedy client
        // reading can start it again: that is what is measured, however slow the machine, not a pause in sending.
        byte[] frame = new byte[BinaryProtocol.HeaderSize + key.Length];
        BinaryCodec.TryWriteRequest(new BinaryFrameHeader { Opcode = BinaryOpcode.Get }, key, default, frame, out _);
        byte[] chunk = new byte[frame.Length * 1000];
        for (int i = 0; i < 1000; i++) frame.CopyTo(chunk, i * frame.Length);
        using var greedy = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        greedy.Connect(endPoint);
        greedy.Blocking = false;
        long sentBytes = 0;
        var clock = Stopwatch.StartNew();
        bool held = false;
        while (!held)
        {
            Assert.True(clock.Elapsed < Deadline, $"the server never stopped reading a client that does not read ({sentBytes} bytes sent)");
            int offset = (int)(sentBytes % chunk.Length);
            int sent = greedy.Send(chunk.AsSpan(offset), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                if (settled())
                {
                    long before = taken();
                    await LoopTurnAsync(other);
                    await LoopTurnAsync(other);
                    held = taken() == before && settled();
                }
                else
                {
                    await Task.Delay(5);
                }
                continue;
            }
            Assert.Equal(SocketError.Success, error);
            sentBytes += sent;
            // Read without limit, these would ask for a gigabyte of replies; kernel buffers hold a few MB of requests.
            Assert.True(sentBytes < 64L << 20, $"{sentBytes} bytes of requests taken from a client that reads nothing");
        }
        long requests = sentBytes / frame.Length;
        Assert.True(requests > 4096, $"only {requests} requests went out before the server stopped reading");
        Assert.True(taken() < requests, $"the server took all {requests} requests");

        // Meanwhile every other client is served.
        EchoReply served = await other.GetAsync(key).WaitAsync(Deadline);
        Assert.Equal(value, served.Value);

        // Reading at last, the greedy client gets one whole reply per complete request it sent.
        greedy.Blocking = true;
        greedy.ReceiveTimeout = 10_000;
        long replies = ReadReplies(greedy, requests, value.Length);
        Assert.Equal(requests, replies);
    }

    /// <summary>A round trip through the server's loop on another connection: every event before it has been handled.</summary>
    private static async Task LoopTurnAsync(EchoClient other) =>
        Assert.Equal(BinaryStatus.Ok, (await other.PingAsync().WaitAsync(Deadline)).Status);

    /// <summary>Reads <paramref name="expected"/> GET replies, checking each is Ok with a value of <paramref name="valueLength"/>.</summary>
    private static long ReadReplies(Socket socket, long expected, int valueLength)
    {
        int replyLength = BinaryProtocol.HeaderSize + valueLength;
        byte[] buffer = new byte[replyLength * 256];
        int buffered = 0;
        long replies = 0;
        while (replies < expected)
        {
            int received = socket.Receive(buffer, buffered, buffer.Length - buffered, SocketFlags.None);
            Assert.True(received > 0, $"the connection closed after {replies} of {expected} replies");
            buffered += received;
            int offset = 0;
            while (buffered - offset >= replyLength)
            {
                Assert.Equal(BinaryStatus.Ok, (BinaryStatus)buffer[offset + 5]);
                Assert.Equal(valueLength, BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset + 8)));
                offset += replyLength;
                replies++;
            }
            buffer.AsSpan(offset, buffered - offset).CopyTo(buffer);
            buffered -= offset;
        }
        return replies;
    }
}
