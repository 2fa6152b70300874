using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Tests.Net;

namespace EchoCache.Tests.Cluster;

/// <summary>
/// What the orchestrator holds for a client stays bounded: a burst's reply ring and call pools are given back
/// once the burst is over, and a client that does not read stops being read once its replies waiting to be sent
/// reach the byte cap, however few they are.
/// </summary>
public sealed class OrchestratorMemoryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_that_pipelined_thousands_deep_gives_the_ring_and_the_call_pool_back()
    {
        using InProcessCluster cluster = await InProcessCluster.StartAsync();
        using Socket client = Connect(cluster);
        byte[] burst = Repeat(GetFrame("missing"u8), 4000);
        client.Send(burst);
        Assert.Equal(4000, ReadReplies(client, 4000).Count(r => r.Status == BinaryStatus.NotFound));

        ClusterSession session = cluster.Sessions.Single().Session!;
        Assert.True(session.Replies.Capacity > ReplyQueue.InitialEntries, $"the ring never grew: {session.Replies.Capacity}");
        Assert.True(session.PooledCalls > 100, $"{session.PooledCalls} calls pooled after 4,000 pipelined reads");

        // The next idle check still sees the burst; the one after gives it back.
        var clock = Stopwatch.StartNew();
        while (session.Replies.Capacity > ReplyQueue.InitialEntries || session.PooledCalls > 16)
        {
            Assert.True(clock.Elapsed < Deadline, $"after {clock.Elapsed}: ring of {session.Replies.Capacity}, {session.PooledCalls} calls pooled");
            await Task.Delay(50);
        }

        // And it serves on.
        client.Send(Repeat(GetFrame("missing"u8), 3));
        Assert.Equal(3, ReadReplies(client, 3).Count);
        Assert.Equal(0, cluster.LoopFaults);
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_held_to_the_byte_cap_and_gets_every_reply_when_it_reads()
    {
        const int Cap = 4 << 20;
        const int Requests = 600;
        const int Chunk = 30;
        using InProcessCluster cluster = await InProcessCluster.StartAsync(new ClusterOptions
        {
            HealthInterval = TimeSpan.FromSeconds(30),
            MaxOutstandingBytesPerClient = Cap,
        });
        byte[] value = new byte[256 * 1024];
        new Random(5).NextBytes(value);
        await using (EchoClient writer = await EchoClient.ConnectAsync("127.0.0.1", cluster.Orchestrator.LocalEndPoint.Port))
        {
            Assert.Equal(BinaryStatus.Ok, (await writer.SetAsync("big"u8.ToArray(), value)).Status);
        }

        // Up to 600 GETs of a 256 KiB value, 150 MiB of replies, all under the 4,096 replies a client may have
        // outstanding. They go in sends of 30 (7.5 MiB of replies), each once the one before has been taken and
        // answered, so each arrives as a read of its own: the cap is checked before each request, and a reply's size
        // is known only once the worker answers. The orchestrator has stopped reading when, every request it took
        // answered, it takes no more (its session refuses to receive) and has still taken none after two more turns of
        // its loop (a PING on another connection, served by the same loop thread, marks a turn): nothing but the client
        // reading can start it again. However slow the machine, that is what is measured, not a time.
        using Socket greedy = Connect(cluster);
        byte[] chunk = Repeat(GetFrame("big"u8), Chunk);
        int sent = 0;
        bool held = false;
        ClusterSession? session = null;
        EchoClient? probe = null;
        var clock = Stopwatch.StartNew();
        try
        {
            while (sent < Requests && !held)
            {
                greedy.Send(chunk);
                sent += Chunk;
                if (session == null)
                {
                    session = await SessionAsync(cluster, index: 1);
                    probe = await EchoClient.ConnectAsync("127.0.0.1", cluster.Orchestrator.LocalEndPoint.Port); // session 2
                }
                while (!(session.Replies.Reserved >= sent && session.Replies.Unanswered == 0))
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60),
                        $"after 60 s, {session.Replies.Reserved} of {sent} requests taken, {session.Replies.Unanswered} unanswered");
                    if (session.Replies.Unanswered == 0 && !session.CanReceive)
                    {
                        long reserved = session.Replies.Reserved;
                        await LoopTurnAsync(probe!);
                        await LoopTurnAsync(probe!);
                        if (session.Replies.Reserved == reserved && session.Replies.Unanswered == 0 && !session.CanReceive)
                        {
                            held = true;
                            break;
                        }
                        continue;
                    }
                    await Task.Delay(5);
                }
            }
        }
        finally
        {
            probe?.Dispose();
        }
        Assert.True(held, "the orchestrator read every request of a client that reads no reply");
        Assert.True(session!.Replies.Reserved < sent, $"held with all {sent} requests taken");

        // Held: under the cap, plus the replies of the read that crossed it; settled, as nothing more can be answered.
        Assert.InRange(session.Replies.QueuedBytes, 1, Cap + Chunk * (BinaryProtocol.HeaderSize + value.Length));

        List<Reply> replies = ReadReplies(greedy, sent);
        Assert.All(replies, r => Assert.True(r.Status == BinaryStatus.Ok && r.Value.AsSpan().SequenceEqual(value)));
        Assert.Equal(0, session.Replies.Outstanding);
        Assert.Equal(0, cluster.LoopFaults);
    }

    private sealed record Reply(BinaryStatus Status, byte[] Value);

    /// <summary>A round trip through the orchestrator's loop on another connection: every event before it has been handled.</summary>
    private static async Task LoopTurnAsync(EchoClient probe) =>
        Assert.Equal(BinaryStatus.Ok, (await probe.PingAsync().WaitAsync(Deadline)).Status);

    /// <summary>A connection to the orchestrator; its reads wait 10 s at most.</summary>
    private static Socket Connect(InProcessCluster cluster)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect(cluster.Orchestrator.LocalEndPoint);
        return socket;
    }

    private static async Task<ClusterSession> SessionAsync(InProcessCluster cluster, int index)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ClusterSessionSelector[] sessions = cluster.Sessions;
            if (sessions.Length > index && sessions[index].Session is { } session)
            {
                return session;
            }
            Assert.True(clock.Elapsed < Deadline, "the orchestrator never took the connection's first request");
            await Task.Delay(10);
        }
    }

    private static byte[] GetFrame(ReadOnlySpan<byte> key) =>
        BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Get }, key);

    private static byte[] Repeat(byte[] frame, int count)
    {
        byte[] all = new byte[frame.Length * count];
        for (int i = 0; i < count; i++) frame.CopyTo(all, i * frame.Length);
        return all;
    }

    /// <summary>Reads exactly <paramref name="count"/> reply frames.</summary>
    private static List<Reply> ReadReplies(Socket socket, int count)
    {
        var replies = new List<Reply>(count);
        byte[] buffer = new byte[1 << 20];
        int filled = 0;
        while (replies.Count < count)
        {
            int offset = 0;
            while (replies.Count < count
                && BinaryCodec.TryParseReply(buffer.AsSpan(offset, filled - offset), out BinaryFrame frame, out int consumed) == OperationStatus.Done)
            {
                replies.Add(new Reply(frame.Header.Status, frame.Value.ToArray()));
                offset += consumed;
            }
            buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
            filled -= offset;
            if (replies.Count < count)
            {
                int received = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                Assert.True(received > 0, $"the orchestrator closed after {replies.Count} replies");
                filled += received;
            }
        }
        return replies;
    }
}
