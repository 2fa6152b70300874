using System.Buffers;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net;

/// <summary>
/// A worker's eviction notices (docs/protocol.md, "EVICTED"): written on an orchestrator's connection ahead of the
/// reply to every request that ran after the eviction, each once per connection, never on a plain client's; skipped
/// once acknowledged; and a connection whose notices were overwritten is told they were lost.
/// </summary>
public sealed class EvictionNoticeTests
{
    private const long Memory = 4L << 20;

    private static byte[] ReplicaSet(string key, ulong version, int valueLength = 300) =>
        BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, RequestId = version, Version = version },
            BinaryFrames.Bytes(key), new byte[valueLength]);

    private static byte[] Get(string key, ulong requestId) => BinaryFrames.Request(BinaryOpcode.Get, key, requestId: requestId);

    private static (CacheEngine Engine, EvictionLog Log) NewWorker(EvictionLog? log = null)
    {
        log ??= new EvictionLog();
        return (new CacheEngine(new EngineOptions { MemoryLimit = Memory, EvictionObserver = log }), log);
    }

    /// <summary>Runs one request and returns the frames it produced, in order: (opcode, status, key, version, request id).</summary>
    private static List<(BinaryOpcode Opcode, BinaryStatus Status, string Key, ulong Version, ulong RequestId)> Run(
        BinarySession session, OutputBuffer output, byte[] request)
    {
        Assert.Equal(request.Length, session.Process(request, output));
        byte[] written = output.Bytes.AsSpan(output.SentOffset, output.Pending).ToArray();
        output.MarkSent(output.Pending);
        var frames = new List<(BinaryOpcode, BinaryStatus, string, ulong, ulong)>();
        for (int at = 0; at < written.Length;)
        {
            Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(written.AsSpan(at), out BinaryFrame frame, out int length));
            frames.Add((frame.Opcode, frame.Header.Status, Encoding.ASCII.GetString(frame.Key), frame.Header.Version, frame.RequestId));
            at += length;
        }
        return frames;
    }

    [Fact]
    public void Every_eviction_is_noticed_once_before_the_reply_of_the_request_that_made_it()
    {
        (CacheEngine engine, EvictionLog log) = NewWorker();
        using (engine)
        {
            var session = new BinarySession(engine, new WorkerStats());
            var output = new OutputBuffer(64 * 1024, 1 << 20);
            var noticed = new Dictionary<string, ulong>();
            long lastNotice = 0;
            for (int i = 1; i <= 40_000; i++)
            {
                var frames = Run(session, output, ReplicaSet($"key:{i:D6}", (ulong)i));
                // Its own reply comes last; every eviction it made (and any before) is noticed ahead of it.
                Assert.Equal(BinaryOpcode.ReplicaSet, frames[^1].Opcode);
                Assert.Equal((ulong)i, frames[^1].RequestId);
                foreach (var notice in frames.SkipLast(1))
                {
                    Assert.Equal(BinaryOpcode.Evicted, notice.Opcode);
                    Assert.Equal(BinaryStatus.Ok, notice.Status);
                    Assert.Equal((ulong)++lastNotice, notice.RequestId);
                    Assert.True(noticed.TryAdd(notice.Key, notice.Version), $"{notice.Key} noticed twice");
                    Assert.Equal(ulong.Parse(notice.Key[4..], System.Globalization.CultureInfo.InvariantCulture), notice.Version);
                }
                Assert.Equal(log.Last, lastNotice);
            }
            Assert.True(noticed.Count > 20_000, $"only {noticed.Count} evictions");
            Assert.Equal(engine.GetStats().Evictions, noticed.Count);
            // A read of an evicted key says NOT_FOUND, and the key's notice went out before.
            foreach (string key in noticed.Keys.Take(100))
            {
                var frames = Run(session, output, Get(key, 7));
                Assert.Equal([(BinaryOpcode.Get, BinaryStatus.NotFound, "", 0UL, 7UL)], frames);
            }
        }
    }

    [Fact]
    public void Every_orchestrator_connection_carries_the_notices_until_they_are_acknowledged()
    {
        (CacheEngine engine, EvictionLog log) = NewWorker();
        using (engine)
        {
            var writer = new BinarySession(engine, new WorkerStats());
            var idle = new BinarySession(engine, new WorkerStats());
            var client = new BinarySession(engine, new WorkerStats());
            var output = new OutputBuffer(64 * 1024, 1 << 20);
            Run(idle, output, Get("nothing", 1));                            // a client request first: not yet an orchestrator's
            Assert.Single(Run(idle, output, ReplicaSet("first", 1)));       // now it is, and nothing was evicted yet
            Assert.Single(Run(client, output, Get("nothing", 1)));
            ulong version = 2;
            while (log.Last < 10)
            {
                Run(writer, output, ReplicaSet($"key:{version}", version++));
            }
            long evicted = log.Last;
            // The idle orchestrator connection gets them all before its next reply; a plain client none.
            var frames = Run(idle, output, Get("nothing", 2));
            Assert.Equal(evicted, frames.Count(f => f.Opcode == BinaryOpcode.Evicted));
            Assert.Equal(BinaryOpcode.Get, frames[^1].Opcode);
            Assert.Single(Run(client, output, Get("nothing", 2)));
            // Acknowledged (a HEALTH request's version): a connection that has not carried them skips them.
            while (log.Last < evicted + 10)
            {
                Run(writer, output, ReplicaSet($"key:{version}", version++));
            }
            var health = new BinaryFrameHeader { Opcode = BinaryOpcode.Health, RequestId = 3, Version = (ulong)log.Last };
            Assert.Single(Run(writer, output, BinaryFrames.Request(health)));
            Assert.Equal(log.Last, log.Acknowledged);
            Assert.Single(Run(idle, output, Get("nothing", 3)));
            // An acknowledgement beyond what this log holds (another process's numbers) is clamped.
            log.Acknowledge(ulong.MaxValue);
            Assert.Equal(log.Last, log.Acknowledged);
        }
    }

    [Fact]
    public void A_connection_whose_notices_were_overwritten_is_told_they_were_lost()
    {
        (CacheEngine engine, EvictionLog log) = NewWorker(new EvictionLog(bytes: 4096, entries: 16));
        using (engine)
        {
            var writer = new BinarySession(engine, new WorkerStats());
            var idle = new BinarySession(engine, new WorkerStats());
            var output = new OutputBuffer(64 * 1024, 1 << 20);
            Run(idle, output, ReplicaSet("first", 1));
            ulong version = 2;
            while (log.Last < 100)
            {
                Run(writer, output, ReplicaSet($"key:{version}", version++));
            }
            var frames = Run(idle, output, Get("nothing", 2));
            Assert.Equal(2, frames.Count);
            Assert.Equal((BinaryOpcode.Evicted, BinaryStatus.ServerError), (frames[0].Opcode, frames[0].Status));
            Assert.Equal(BinaryOpcode.Get, frames[1].Opcode);
            // From then on it carries the new ones.
            long before = log.Last;
            while (log.Last == before)
            {
                Run(writer, output, ReplicaSet($"key:{version}", version++));
            }
            frames = Run(idle, output, Get("nothing", 3));
            Assert.Equal(log.Last - before, frames.Count(f => f.Opcode == BinaryOpcode.Evicted && f.Status == BinaryStatus.Ok));
        }
    }

    [Fact]
    public void A_new_connection_gets_the_notices_still_held_without_a_loss()
    {
        // A worker that evicted much while no orchestrator acknowledged anything (used by clients directly, or its
        // orchestrator gone): a new orchestrator's connection carries what the log still holds, and reports nothing
        // lost, since it answered nothing before.
        (CacheEngine engine, EvictionLog log) = NewWorker(new EvictionLog(bytes: 4096, entries: 16));
        using (engine)
        {
            var writer = new BinarySession(engine, new WorkerStats());
            var output = new OutputBuffer(64 * 1024, 1 << 20);
            ulong version = 1;
            while (log.Last < 100)
            {
                Run(writer, output, ReplicaSet($"key:{version}", version++));
            }
            long last = log.Last;
            var fresh = new BinarySession(engine, new WorkerStats());
            var frames = Run(fresh, output, BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Health, RequestId = 5 }));
            Assert.Equal(BinaryOpcode.Health, frames[^1].Opcode);
            var notices = frames.SkipLast(1).ToList();
            Assert.InRange(notices.Count, 1, 16);
            Assert.All(notices, n => Assert.Equal((BinaryOpcode.Evicted, BinaryStatus.Ok), (n.Opcode, n.Status)));
            Assert.Equal((ulong)last, notices[^1].RequestId);
        }
    }

    [Fact]
    public void Writing_notices_allocates_nothing_once_warm()
    {
        (CacheEngine engine, EvictionLog log) = NewWorker();
        using (engine)
        {
            var session = new BinarySession(engine, new WorkerStats());
            var other = new BinarySession(engine, new WorkerStats());
            var output = new OutputBuffer(64 * 1024, 1 << 20);
            // Full already: every write of the batches evicts.
            for (int i = 0; i < 20_000; i++)
            {
                engine.Set(BinaryFrames.Bytes($"fill:{i:D8}"), new byte[300], default, out _);
            }
            ulong version = 1_000_000;
            byte[] Batch() => BinaryFrames.Concat([.. Enumerable.Range(0, 500).SelectMany(i => new[]
            {
                ReplicaSet($"key:{version + 1:D8}", ++version),
                Get($"key:{version:D8}", version),
            })]);
            byte[][] batches = [Batch(), Batch(), Batch(), Batch(), Batch(), Batch(), Batch()];
            byte[] ping = BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete, RequestId = 1, Version = 1 },
                BinaryFrames.Bytes("gone"), default);
            int unconsumed = 0;
            int next = 0;
            void Run(byte[] input)
            {
                unconsumed += input.Length - session.Process(input, output); // no Assert here: xunit's allocate
                output.MarkSent(output.Pending);
                unconsumed += ping.Length - other.Process(ping, output);      // the other link carries them too
                output.MarkSent(output.Pending);
            }

            Run(batches[next++]);
            Run(batches[next++]);
            long allocated = ThreadAllocations.Measure(() =>
            {
                Run(batches[next++ % batches.Length]);
            });
            Assert.Equal(0, unconsumed);
            Assert.True(log.Last > 500, $"only {log.Last} evictions");
            Assert.Equal(0, allocated);
        }
    }
}
