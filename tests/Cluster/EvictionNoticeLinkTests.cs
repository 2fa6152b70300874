using System.Net;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Cluster;

/// <summary>
/// The orchestrator's link to a worker that evicts: the EVICTED frames the worker writes unasked go to the link's
/// notice target, in order and each once, and the replies around them still reach their requests. The test itself is
/// both targets.
/// </summary>
public sealed class EvictionNoticeLinkTests : IDisposable, IWorkerReplyTarget, IEvictionNoticeTarget
{
    private readonly EvictionLog _log = new();
    private readonly CacheEngine _engine;
    private readonly EventLoopGroup _serverLoops = new(1, "test worker loop");
    private readonly SocketServer _server;
    private readonly EventLoop _loop = new("test loop");
    private readonly Lock _lock = new();
    private readonly List<(string Key, ulong Version, ulong Sequence)> _notices = [];
    private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextReply = 1;
    private long _expected;
    private string? _failure;

    public EvictionNoticeLinkTests()
    {
        _engine = new CacheEngine(new EngineOptions { MemoryLimit = 4L << 20, EvictionObserver = _log });
        var stats = new WorkerStats();
        _server = new SocketServer(new IPEndPoint(IPAddress.Loopback, 0), () => new WorkerSession(_engine, stats), _serverLoops);
        _server.Start();
    }

    [Fact]
    public async Task Notices_reach_their_target_between_the_replies_each_once_in_order()
    {
        using WorkerLink link = await WorkerLink.ConnectAsync(_server.LocalEndPoint, _loop, null, this, CancellationToken.None);
        const int Writes = 40_000;
        _expected = Writes;
        var value = new byte[300];
        for (int i = 1; i <= Writes; i++)
        {
            var header = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Version = (ulong)i };
            Assert.True(link.Send(header, Encoding.ASCII.GetBytes($"key:{i:D6}"), value, this, i));
        }
        Task finished = await Task.WhenAny(_allAnswered.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == _allAnswered.Task, "not every write was answered within 30 s");
        Assert.Null(_failure);
        Assert.False(link.IsFailed);
        using (_lock.EnterScope())
        {
            // Every notice before the last reply: the last write's own evictions came ahead of its reply.
            Assert.Equal(_log.Last, _notices.Count);
            Assert.True(_notices.Count > 20_000, $"only {_notices.Count} notices");
            for (int n = 0; n < _notices.Count; n++)
            {
                Assert.Equal((ulong)(n + 1), _notices[n].Sequence);
                Assert.Equal($"key:{_notices[n].Version:D6}", _notices[n].Key);
            }
        }
    }

    void IWorkerReplyTarget.OnReply(in BinaryFrame frame, long token)
    {
        if (token != _nextReply || frame.Header.Status != BinaryStatus.Ok)
        {
            _failure ??= $"reply {token} ({frame.Header.Status}) where {_nextReply} was due";
        }
        if (++_nextReply > _expected)
        {
            _allAnswered.TrySetResult();
        }
    }

    void IWorkerReplyTarget.OnLinkFailed(long token) => _failure ??= $"the link failed with {token} in flight";

    void IEvictionNoticeTarget.OnEvicted(ReadOnlySpan<byte> key, ulong version, ulong sequence)
    {
        using (_lock.EnterScope())
        {
            _notices.Add((Encoding.ASCII.GetString(key), version, sequence));
        }
    }

    void IEvictionNoticeTarget.OnNoticesLost() => _failure ??= "notices were lost";

    public void Dispose()
    {
        _server.Dispose();
        _serverLoops.Dispose();
        _loop.Dispose();
        _engine.Dispose();
    }
}
