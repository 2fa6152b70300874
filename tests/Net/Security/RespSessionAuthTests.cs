using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Security;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net.Security;

/// <summary>
/// A RESP connection to a worker with a password, driven without sockets. The texts and their order (unknown command
/// and arity first, then NOAUTH) are what redis-server 7.0.15 started with requirepass answers; PING is ours to answer.
/// </summary>
public sealed class RespSessionAuthTests : IDisposable
{
    private const string NoAuth = "-NOAUTH Authentication required.\r\n";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private const string HelloNoAuth = "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
    private const string Ok = "+OK\r\n";

    private readonly CacheEngine _engine = new(new EngineOptions { MemoryLimit = 16L << 20 });
    private readonly WorkerStats _stats = new();
    private readonly OutputBuffer _output = new(64 * 1024, 1 << 20);
    private readonly StepClock _clock = new();
    private readonly AccessControl _access;
    private RespSession _session;

    public RespSessionAuthTests()
    {
        _access = new AccessControl(new Password("secret"), protectedMode: true, new AuthFailureLimiter(10, 100, _clock));
        _session = new RespSession(_engine, _stats, _access);
    }

    public void Dispose() => _engine.Dispose();

    private string Send(params string[] arguments) => SendRaw(RespFrames.Command(arguments));

    private string SendRaw(byte[] input)
    {
        Assert.Equal(input.Length, _session.Process(input, _output));
        string written = Encoding.Latin1.GetString(_output.Bytes, _output.SentOffset, _output.Pending);
        _output.MarkSent(_output.Pending);
        return written;
    }

    [Fact]
    public void Before_auth_only_auth_hello_ping_and_quit_run()
    {
        Assert.Equal(NoAuth, Send("GET", "k"));
        Assert.Equal(NoAuth, Send("SET", "k", "v"));
        Assert.Equal(NoAuth, Send("set", "k", "v", "EX", "10"));
        Assert.Equal(NoAuth, Send("FLUSHALL"));
        Assert.Equal(NoAuth, Send("CLIENT", "SETNAME", "x"));
        Assert.Equal(NoAuth, Send("SELECT", "0"));
        Assert.Equal(NoAuth, Send("INFO"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", Send("GET"));
        Assert.Equal("-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n", Send("NOSUCH", "a"));
        Assert.Equal("-ERR wrong number of arguments for 'client' command\r\n", Send("CLIENT"));
        Assert.Equal("+PONG\r\n", Send("PING"));
        Assert.Equal(HelloNoAuth, Send("HELLO", "3"));
        Assert.Equal(HelloNoAuth, Send("HELLO"));
        Assert.Equal(0, _engine.Count);
        Assert.Equal(Ok, Send("QUIT"));
        Assert.True(_session.CloseRequested);
    }

    [Fact]
    public void Auth_in_both_forms()
    {
        Assert.Equal(WrongPass, Send("AUTH", "wrong"));
        Assert.Equal(WrongPass, Send("AUTH", "default", "wrong"));
        Assert.Equal(WrongPass, Send("AUTH", "admin", "secret"));
        Assert.Equal("-ERR syntax error\r\n", Send("AUTH", "a", "b", "c"));
        Assert.Equal(NoAuth, Send("GET", "k"));
        Assert.Equal(Ok, Send("AUTH", "secret"));
        Assert.Equal(Ok, Send("SET", "k", "v"));
        Assert.Equal("$1\r\nv\r\n", Send("GET", "k"));

        // A wrong password later leaves the connection authenticated, as in Redis; the two-argument form works too.
        Assert.Equal(WrongPass, Send("AUTH", "nope"));
        Assert.Equal("$1\r\nv\r\n", Send("GET", "k"));
        _session = new RespSession(_engine, _stats, _access);
        Assert.Equal(Ok, Send("AUTH", "default", "secret"));
        Assert.Equal("$1\r\nv\r\n", Send("GET", "k"));
    }

    [Fact]
    public void Hello_authenticates_and_switches_protocol_at_once()
    {
        Assert.Equal(WrongPass, Send("HELLO", "3", "AUTH", "default", "wrong"));
        Assert.Equal(WrongPass, Send("HELLO", "3", "AUTH", "admin", "secret"));
        Assert.Equal(NoAuth, Send("GET", "k"));
        string hello = Send("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "c1");
        Assert.StartsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", hello, StringComparison.Ordinal);
        Assert.Contains("$5\r\nproto\r\n:3\r\n", hello, StringComparison.Ordinal);
        Assert.Equal("_\r\n", Send("GET", "k")); // RESP3's null
        Assert.Equal("$2\r\nc1\r\n", Send("CLIENT", "GETNAME"));

        _session = new RespSession(_engine, _stats, _access);
        Assert.StartsWith("*14\r\n", Send("HELLO", "2", "AUTH", "default", "secret"), StringComparison.Ordinal);
        Assert.Equal("$-1\r\n", Send("GET", "k"));
    }

    [Fact]
    public void Requests_pipelined_around_auth_are_judged_one_by_one()
    {
        byte[] input = [.. RespFrames.Command("SET", "k", "early"), .. RespFrames.Command("AUTH", "secret"),
            .. RespFrames.Command("SET", "k", "v"), .. Enumerable.Range(0, 40).SelectMany(i => RespFrames.Command("GET", "k"))];
        string replies = SendRaw(input);
        Assert.Equal(NoAuth + Ok + Ok + string.Concat(Enumerable.Repeat("$1\r\nv\r\n", 40)), replies);
    }

    [Fact]
    public void Before_auth_requests_are_capped_as_in_redis_and_after_it_they_are_not()
    {
        string[] eleven = ["MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"];
        Assert.Equal("-ERR Protocol error: unauthenticated multibulk length\r\n", Send(eleven));
        Assert.True(_session.CloseRequested);

        _session = new RespSession(_engine, _stats, _access);
        Assert.Equal("-ERR Protocol error: unauthenticated bulk length\r\n", Send("AUTH", new string('p', 16385)));
        Assert.True(_session.CloseRequested);

        _session = new RespSession(_engine, _stats, _access);
        Assert.Equal(Ok, Send("AUTH", "secret"));
        Assert.Equal(Ok, Send(eleven));
        Assert.Equal(Ok, Send("SET", "big", new string('v', 100_000)));
    }

    [Fact]
    public void The_tenth_failure_closes_the_connection()
    {
        for (int i = 1; i < 10; i++)
        {
            Assert.Equal(WrongPass, Send("AUTH", $"guess{i}"));
            Assert.False(_session.CloseRequested);
        }
        Assert.Equal(WrongPass, Send("AUTH", "guess10"));
        Assert.True(_session.CloseRequested);
    }

    [Fact]
    public void While_the_server_refuses_attempts_the_right_password_is_refused_too()
    {
        for (int connection = 0; connection < 10; connection++)
        {
            _session = new RespSession(_engine, _stats, _access);
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(WrongPass, Send("AUTH", "guess"));
            }
        }
        _session = new RespSession(_engine, _stats, _access);
        Assert.Equal("-ERR too many failed AUTH attempts, try again later\r\n", Send("AUTH", "secret"));
        Assert.Equal("-ERR too many failed AUTH attempts, try again later\r\n", Send("HELLO", "3", "AUTH", "default", "secret"));
        Assert.Equal(NoAuth, Send("GET", "k"));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(Ok, Send("AUTH", "secret"));
    }

    [Fact]
    public void Without_a_password_nothing_changes()
    {
        _session = new RespSession(_engine, _stats, new AccessControl(null, protectedMode: true));
        Assert.Equal(Ok, Send("SET", "k", "v"));
        Assert.Equal("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
            Send("AUTH", "secret"));
        Assert.Equal(Ok, Send("AUTH", "default", "anything"));
        Assert.Equal(WrongPass, Send("AUTH", "admin", "anything"));
        Assert.StartsWith("%7\r\n", Send("HELLO", "3"), StringComparison.Ordinal);
    }
}
