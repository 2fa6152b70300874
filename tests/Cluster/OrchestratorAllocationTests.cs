using System.Buffers;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Tests.Cluster;

/// <summary>
/// The orchestrator's request path allocates nothing once warm: an in-process cluster (two workers and an
/// orchestrator on loopback) is driven with raw pipelined frames from a preallocated buffer, and every byte the
/// process allocates meanwhile is counted.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class OrchestratorAllocationTests
{
    [Fact]
    public async Task Gets_and_sets_through_the_orchestrator_allocate_nothing_in_steady_state()
    {
        using InProcessCluster cluster = await InProcessCluster.StartAsync();
        SocketServer orchestrator = cluster.Orchestrator;

        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        client.Connect(orchestrator.LocalEndPoint);
        // 110 requests per batch: 50 SET and 50 GET of 10 keys, 32-byte values, and 10 MGET of two of them and a miss.
        var requests = new ArrayBufferWriter<byte>();
        byte[] value = new byte[32];
        for (int i = 0; i < 50; i++)
        {
            byte[] key = [(byte)'k', (byte)('0' + i % 10)];
            Write(requests, new BinaryFrameHeader { Opcode = BinaryOpcode.Set }, key, value);
            Write(requests, new BinaryFrameHeader { Opcode = BinaryOpcode.Get }, key, default);
        }
        for (int i = 0; i < 10; i++)
        {
            Write(requests, new BinaryFrameHeader { Opcode = BinaryOpcode.MultiGet }, [],
                EchoCache.Tests.Net.BinaryFrames.Keys($"k{i}", $"k{(i + 3) % 10}", "nope"));
        }
        byte[] batch = requests.WrittenSpan.ToArray();
        int replyBytes = 50 * BinaryProtocol.HeaderSize + 50 * (BinaryProtocol.HeaderSize + value.Length)
            + 10 * (2 * (BinaryProtocol.HeaderSize + 2 + value.Length) + BinaryProtocol.HeaderSize + 4);
        byte[] replies = new byte[replyBytes];

        for (int round = 0; round < 200; round++) RoundTrip(client, batch, replies); // warm-up: pools and buffers grow
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int round = 0; round < 200; round++) RoundTrip(client, batch, replies);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // 22,000 requests: the smallest object per request (24 bytes) would show as 528 KB, one per MGET key as
        // 144 KB. A few KB come from the rest of the process meanwhile (timers, other tests' lingering background
        // reads): measured 0.5-22 KB.
        Assert.True(allocated < 100_000, $"{allocated} bytes allocated for 22,000 requests through the orchestrator");
        Assert.Equal(BinaryStatus.Ok, (BinaryStatus)replies[5]);
    }

    /// <summary>Sends the batch and reads its replies: each read bounded by the socket's 10 s timeout, a close an error.</summary>
    private static void RoundTrip(Socket client, byte[] batch, byte[] replies)
    {
        client.Send(batch);
        int received = 0;
        while (received < replies.Length)
        {
            int n = client.Receive(replies, received, replies.Length - received, SocketFlags.None);
            if (n == 0)
            {
                // Thrown here, not asserted: an Assert's message would be formatted (allocated) on every read measured.
                throw new IOException($"the orchestrator closed the connection after {received} of {replies.Length} reply bytes");
            }
            received += n;
        }
    }

    private static void Write(ArrayBufferWriter<byte> writer, BinaryFrameHeader header, byte[] key, ReadOnlySpan<byte> value)
    {
        Span<byte> span = writer.GetSpan(BinaryProtocol.HeaderSize + key.Length + value.Length);
        BinaryCodec.TryWriteRequest(header, key, value, span, out int written);
        writer.Advance(written);
    }
}
