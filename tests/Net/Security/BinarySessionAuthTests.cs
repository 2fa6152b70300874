using System.Buffers;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net.Security;

/// <summary>The binary protocol's AUTH on a worker with a password, driven without sockets.</summary>
public sealed class BinarySessionAuthTests : IDisposable
{
    private readonly CacheEngine _engine = new(new EngineOptions { MemoryLimit = 16L << 20 });
    private readonly OutputBuffer _output = new(64 * 1024, 1 << 20);
    private readonly StepClock _clock = new();
    private readonly AccessControl _access;
    private BinarySession _session;

    public BinarySessionAuthTests()
    {
        _access = new AccessControl(new Password("secret"), protectedMode: true, new AuthFailureLimiter(10, 100, _clock));
        _session = new BinarySession(_engine, new WorkerStats(), _access);
    }

    public void Dispose() => _engine.Dispose();

    private static byte[] Auth(string user, string password, ulong id = 7) =>
        BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Auth, RequestId = id }, BinaryFrames.Bytes(user), BinaryFrames.Bytes(password));

    /// <summary>Processes <paramref name="input"/> (all of it consumed, unless <paramref name="partial"/>) and parses every reply frame.</summary>
    private List<(BinaryFrameHeader Header, string Value)> Send(byte[] input, bool partial = false)
    {
        int consumed = _session.Process(input, _output);
        if (!partial)
        {
            Assert.Equal(input.Length, consumed);
        }
        var replies = new List<(BinaryFrameHeader, string)>();
        ReadOnlySpan<byte> written = _output.Bytes.AsSpan(_output.SentOffset, _output.Pending);
        while (!written.IsEmpty)
        {
            Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(written, out BinaryFrame frame, out int length));
            replies.Add((frame.Header, Encoding.ASCII.GetString(frame.Value)));
            written = written[length..];
        }
        _output.MarkSent(_output.Pending);
        return replies;
    }

    private (BinaryStatus Status, string Value) One(byte[] input)
    {
        var (header, value) = Assert.Single(Send(input));
        return (header.Status, value);
    }

    [Fact]
    public void Before_auth_every_request_but_auth_and_ping_is_refused_and_changes_nothing()
    {
        Assert.Equal((BinaryStatus.AuthRequired, "NOAUTH Authentication required."), One(BinaryFrames.Request(BinaryOpcode.Set, "k", "v")));
        Assert.Equal((BinaryStatus.AuthRequired, "NOAUTH Authentication required."), One(BinaryFrames.Request(BinaryOpcode.Get, "k")));
        Assert.Equal((BinaryStatus.AuthRequired, "NOAUTH Authentication required."),
            One(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet, Version = 99 }, BinaryFrames.Bytes("k"), BinaryFrames.Bytes("forged"))));
        Assert.Equal((BinaryStatus.AuthRequired, "NOAUTH Authentication required."), One(BinaryFrames.Request(BinaryOpcode.Flush)));
        Assert.Equal((BinaryStatus.Ok, "hi"), One(BinaryFrames.Request(BinaryOpcode.Ping, "", "hi")));
        Assert.Equal(0, _engine.Count);
        Assert.False(_session.CloseRequested);
    }

    [Fact]
    public void Auth_with_the_default_user_empty_or_named()
    {
        var (header, value) = Assert.Single(Send(Auth("", "wrong", id: 41)));
        Assert.Equal((BinaryOpcode.Auth, 41UL, BinaryStatus.AuthFailed), (header.Opcode, header.RequestId, header.Status));
        Assert.Equal("WRONGPASS invalid username-password pair or user is disabled.", value);
        Assert.Equal(BinaryStatus.AuthFailed, One(Auth("admin", "secret")).Status);
        Assert.Equal((BinaryStatus.Ok, ""), One(Auth("", "secret")));
        Assert.Equal(BinaryStatus.Ok, One(BinaryFrames.Request(BinaryOpcode.Set, "k", "v")).Status);
        Assert.Equal((BinaryStatus.Ok, "v"), One(BinaryFrames.Request(BinaryOpcode.Get, "k")));

        _session = new BinarySession(_engine, new WorkerStats(), _access);
        Assert.Equal(BinaryStatus.Ok, One(Auth("default", "secret")).Status);
        Assert.Equal((BinaryStatus.Ok, "v"), One(BinaryFrames.Request(BinaryOpcode.Get, "k")));
    }

    [Fact]
    public void A_pipeline_is_judged_frame_by_frame()
    {
        byte[] input = BinaryFrames.Concat([BinaryFrames.Request(BinaryOpcode.Set, "k", "early"), Auth("", "secret"),
            BinaryFrames.Request(BinaryOpcode.Set, "k", "v"), BinaryFrames.Request(BinaryOpcode.Get, "k")]);
        Assert.Equal([BinaryStatus.AuthRequired, BinaryStatus.Ok, BinaryStatus.Ok, BinaryStatus.Ok], Send(input).Select(r => r.Header.Status));
    }

    [Fact]
    public void A_frame_over_16_KiB_before_auth_is_refused_from_its_header_and_the_connection_closes()
    {
        byte[] big = Auth("", new string('p', 20_000), id: 9);
        var (header, value) = Assert.Single(Send(big[..BinaryProtocol.HeaderSize], partial: true));
        Assert.Equal((BinaryOpcode.Auth, 9UL, BinaryStatus.TooLarge), (header.Opcode, header.RequestId, header.Status));
        Assert.Equal("a frame over 16 KiB before AUTH", value);
        Assert.True(_session.CloseRequested);

        _session = new BinarySession(_engine, new WorkerStats(), _access);
        Assert.Equal(BinaryStatus.Ok, One(Auth("", "secret")).Status);
        Assert.Empty(Send(BinaryFrames.Request(BinaryOpcode.Set, "k", new string('v', 20_000))[..BinaryProtocol.HeaderSize], partial: true));
        Assert.False(_session.CloseRequested);
    }

    [Fact]
    public void The_tenth_failure_closes_and_an_empty_bucket_answers_busy()
    {
        for (int i = 1; i <= 10; i++)
        {
            Assert.False(_session.CloseRequested);
            Assert.Equal(BinaryStatus.AuthFailed, One(Auth("", "guess")).Status);
        }
        Assert.True(_session.CloseRequested);
        for (int connection = 0; connection < 9; connection++)
        {
            _session = new BinarySession(_engine, new WorkerStats(), _access);
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(BinaryStatus.AuthFailed, One(Auth("", "guess")).Status);
            }
        }
        _session = new BinarySession(_engine, new WorkerStats(), _access);
        Assert.Equal((BinaryStatus.Busy, "ERR too many failed AUTH attempts, try again later"), One(Auth("", "secret")));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(BinaryStatus.Ok, One(Auth("", "secret")).Status);
    }

    [Fact]
    public void Without_a_password_any_credentials_answer_ok()
    {
        _session = new BinarySession(_engine, new WorkerStats(), new AccessControl(null, protectedMode: true));
        Assert.Equal(BinaryStatus.Ok, One(BinaryFrames.Request(BinaryOpcode.Set, "k", "v")).Status);
        Assert.Equal(BinaryStatus.Ok, One(Auth("anyone", "anything")).Status);
    }
}
