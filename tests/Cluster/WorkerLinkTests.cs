using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Cluster;

/// <summary>The orchestrator's pipelined link, against a worker served in process over loopback.</summary>
public sealed class WorkerLinkTests : IDisposable
{
    private readonly CacheEngine _engine = new(new EngineOptions { MemoryLimit = 16L << 20 });
    private readonly EventLoopGroup _serverLoops = new(1, "test worker loop");
    private readonly SocketServer _server;
    private readonly EventLoop _loop = new("test loop");

    public WorkerLinkTests()
    {
        var stats = new WorkerStats();
        _server = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(_engine, stats), _serverLoops);
        _server.Start();
    }

    [Fact]
    public async Task Pipelined_requests_from_many_threads_each_get_their_own_reply()
    {
        using WorkerLink link = await WorkerLink.ConnectAsync(_server.LocalEndPoint, _loop, null, null, CancellationToken.None);
        var target = new RecordingTarget();
        const int Threads = 4, PerThread = 2000;
        Parallel.For(0, Threads, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                long token = t * PerThread + i;
                byte[] counter = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(counter, 1);
                Assert.True(link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Increment }, Encoding.ASCII.GetBytes($"c{t}"),
                    counter, target, token));
            }
        });
        await target.WaitForAsync(Threads * PerThread);
        // Replies came back in the order each thread sent: thread t's counter reads 1, 2, 3, … in token order.
        for (int t = 0; t < Threads; t++)
        {
            for (int i = 0; i < PerThread; i++)
            {
                Assert.Equal(i + 1, target.Counters[t * PerThread + i]);
            }
        }
        Assert.Equal(0, link.InFlight);
    }

    [Fact]
    public async Task A_failed_link_fails_every_request_in_flight_and_refuses_more()
    {
        int failures = 0;
        WorkerLink link = await WorkerLink.ConnectAsync(_server.LocalEndPoint, _loop, _ => Interlocked.Increment(ref failures),
            null, CancellationToken.None);
        var target = new RecordingTarget();
        // A snapshot of many items keeps replies flowing while the link is cut.
        for (int i = 0; i < 20_000; i++) _engine.Set(Encoding.ASCII.GetBytes($"k{i}"), new byte[100], default, out _);
        for (int i = 0; i < 50; i++)
        {
            link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default, target, i);
        }
        link.Dispose();
        await target.WaitForAsync(50);
        Assert.True(target.Failed.Count + target.Completed.Count == 50);
        Assert.NotEmpty(target.Failed);
        Assert.False(link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Ping }, default, default, target, 99));
        Assert.Equal(1, failures);
    }

    public void Dispose()
    {
        _server.Dispose();
        _serverLoops.Dispose();
        _loop.Dispose();
        _engine.Dispose();
    }

    private sealed class RecordingTarget : IWorkerReplyTarget
    {
        private int _done;
        public ConcurrentDictionary<long, long> Counters { get; } = new();
        public ConcurrentBag<long> Completed { get; } = [];
        public ConcurrentBag<long> Failed { get; } = [];

        public void OnReply(in BinaryFrame frame, long token)
        {
            if (frame.Opcode == BinaryOpcode.Increment)
            {
                Counters[token] = frame.Counter;
            }
            if (!frame.Header.Has(BinaryFrameFlags.More))
            {
                Completed.Add(token);
                Interlocked.Increment(ref _done);
            }
        }

        public void OnLinkFailed(long token)
        {
            Failed.Add(token);
            Interlocked.Increment(ref _done);
        }

        public async Task WaitForAsync(int count)
        {
            for (int i = 0; i < 2000 && Volatile.Read(ref _done) < count; i++)
            {
                await Task.Delay(10);
            }
            Assert.Equal(count, Volatile.Read(ref _done));
        }
    }
}
