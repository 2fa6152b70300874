using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net;

/// <summary>The binary protocol's executor, driven without sockets.</summary>
public sealed class BinarySessionTests
{
    [Fact]
    public void A_pipelined_batch_is_answered_exactly_as_its_frames_one_at_a_time()
    {
        // A long input has the keys of the frames ahead prefetched from their headers (BinarySession.PrefetchKeys):
        // that must change nothing, whatever the batch holds: frames without a key (MGET, PING), frames the parser
        // rejects but can skip (a key over the limit), versioned replica writes, values of every size.
        var random = new Random(11);
        var frames = new List<byte[]>();
        ulong version = 1;
        for (int i = 0; i < 400; i++)
        {
            string key = $"key:{random.Next(40):D12}";
            frames.Add(random.Next(9) switch
            {
                0 => BinaryFrames.Request(BinaryOpcode.Set, key, new string('v', random.Next(0, 600))),
                1 => BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, RequestId = (ulong)i, Version = version++ },
                    BinaryFrames.Bytes(key), BinaryFrames.Bytes($"replica {i}")),
                2 => BinaryFrames.Request(BinaryOpcode.Delete, key),
                3 => BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.MultiGet, RequestId = (ulong)i }, default,
                    BinaryFrames.Keys(key, $"key:{random.Next(40):D12}")),
                4 => BinaryFrames.Request(BinaryOpcode.Ping, "", "hi"),
                5 => KeyOverTheLimit(),
                6 => BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Increment, RequestId = (ulong)i },
                    BinaryFrames.Bytes($"n{random.Next(3)}"), BinaryFrames.Counter(random.Next(1, 9))),
                _ => BinaryFrames.Request(BinaryOpcode.Get, key, requestId: (ulong)i),
            });
        }

        using var oneByOne = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        var session = new BinarySession(oneByOne, new WorkerStats());
        var output = new OutputBuffer(64 * 1024, 1 << 20);
        var expected = new List<byte>();
        foreach (byte[] frame in frames)
        {
            Assert.Equal(frame.Length, session.Process(frame, output));
            expected.AddRange(Drain(output));
        }

        using var batched = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        var batchSession = new BinarySession(batched, new WorkerStats());
        var batchOutput = new OutputBuffer(64 * 1024, 1 << 20);
        byte[] all = [.. frames.SelectMany(f => f)];
        Assert.Equal(all.Length, batchSession.Process(all, batchOutput));
        byte[] replies = Drain(batchOutput);
        Assert.Equal(expected, replies);
        Assert.Contains("key longer than 250 bytes", System.Text.Encoding.Latin1.GetString(replies), StringComparison.Ordinal);
        Assert.Equal(oneByOne.Count, batched.Count);
        Assert.False(batchSession.CloseRequested);
    }

    [Fact]
    public void The_orchestrators_requests_allocate_nothing_once_warm()
    {
        // Pipelined as the orchestrator sends them: replica writes with rising versions, reads, deletes, counters.
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 });
        var session = new BinarySession(engine, new WorkerStats());
        var output = new OutputBuffer(64 * 1024, 1 << 20);
        byte[] value = BinaryFrames.Bytes(new string('v', 64));
        ulong version = 0;
        byte[] Batch() => BinaryFrames.Concat([.. Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, RequestId = (ulong)i, Version = ++version },
                BinaryFrames.Bytes($"key:{i:D4}"), value),
            BinaryFrames.Request(BinaryOpcode.Get, $"key:{i:D4}", requestId: (ulong)i),
            BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaIncrement, RequestId = (ulong)i, Version = ++version },
                BinaryFrames.Bytes($"n:{i % 8}"), BinaryFrames.Counter(1)),
            BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete, RequestId = (ulong)i, Version = ++version },
                BinaryFrames.Bytes($"gone:{i:D4}"), default),
        })]);
        byte[][] batches = [Batch(), Batch(), Batch(), Batch(), Batch()];
        int unconsumed = 0;
        void Run(byte[] input)
        {
            unconsumed += input.Length - session.Process(input, output); // no Assert here: xunit's allocate
            output.MarkSent(output.Pending);
        }

        Run(batches[0]);
        Run(batches[1]);
        long allocated = ThreadAllocations.Measure(() =>
        {
            Run(batches[2]);
            Run(batches[3]);
            Run(batches[4]);
        });
        Assert.Equal(0, unconsumed);
        Assert.Equal(0, allocated);
    }

    /// <summary>A GET whose key is one byte over the limit (which the writer refuses to frame): delimited, invalid.</summary>
    private static byte[] KeyOverTheLimit()
    {
        byte[] frame = [.. BinaryFrames.Request(BinaryOpcode.Get, new string('k', BinaryProtocol.MaxKeyLength)), (byte)'k'];
        frame[4] = BinaryProtocol.MaxKeyLength + 1;
        return frame;
    }

    private static byte[] Drain(OutputBuffer output)
    {
        byte[] written = output.Bytes.AsSpan(output.SentOffset, output.Pending).ToArray();
        output.MarkSent(output.Pending);
        return written;
    }
}
