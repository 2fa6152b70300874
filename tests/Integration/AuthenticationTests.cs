using System.Globalization;
using System.Net.Sockets;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;
using StackExchange.Redis;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A password on a lone worker and on the orchestrator (its workers have none), with the real executables and the
/// clients people use: raw RESP, redis-cli <c>-a</c>, StackExchange.Redis <c>password=</c>, the binary client and the
/// CLI; the three ways to give the password; and the limit on failed attempts.
/// </summary>
public sealed class AuthenticationTests
{
    private const string Password = "correct horse";
    private const string NoAuth = "(error) NOAUTH Authentication required.";
    private const string WrongPass = "(error) WRONGPASS invalid username-password pair or user is disabled.";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Servers => new("worker", "orchestrator");

    private static PasswordServer StartWithPassword(string kind) => PasswordServer.Start(kind, "--requirepass", Password);

    [Theory]
    [MemberData(nameof(Servers))]
    public void Data_commands_answer_noauth_until_auth_succeeds(string kind)
    {
        using PasswordServer server = StartWithPassword(kind);
        server.Process.WaitForOutput("clients must authenticate: a password is set");
        using (RespConnection client = RespConnection.Connect(server.Port, Timeout))
        {
            Assert.Equal(NoAuth, client.Call("GET", "k").ToString());
            Assert.Equal(NoAuth, client.Call("SET", "k", "forbidden").ToString());
            Assert.Equal(NoAuth, client.Call("MGET", "a", "b").ToString());
            Assert.Equal(NoAuth, client.Call("FLUSHALL").ToString());
            Assert.Equal(NoAuth, client.Call("DBSIZE").ToString());
            Assert.Equal(NoAuth, client.Call("INFO").ToString());
            Assert.Equal("PONG", client.Call("PING").ToString());
            Assert.Equal("(error) NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
                client.Call("HELLO", "3").ToString());
            Assert.Equal(WrongPass, client.Call("AUTH", "wrong").ToString());
            Assert.Equal(WrongPass, client.Call("AUTH", "default", "wrong").ToString());
            Assert.Equal(WrongPass, client.Call("AUTH", "admin", Password).ToString());
            Assert.Equal(WrongPass, client.Call("HELLO", "3", "AUTH", "default", "wrong").ToString());
            Assert.Equal("OK", client.Call("AUTH", Password).ToString());
            Assert.Equal("(nil)", client.Call("GET", "k").ToString()); // the refused SET wrote nothing
            Assert.Equal("OK", client.Call("SET", "k", "v").ToString());
            Assert.Equal("\"v\"", client.Call("GET", "k").ToString());
        }
        using (RespConnection client = RespConnection.Connect(server.Port, Timeout))
        {
            Assert.Equal("OK", client.Call("AUTH", "default", Password).ToString());
            Assert.Equal("\"v\"", client.Call("GET", "k").ToString());
        }
        using (RespConnection client = RespConnection.Connect(server.Port, Timeout))
        {
            RespReply hello = client.Call("HELLO", "2", "AUTH", "default", Password);
            Assert.Equal(14, hello.Items!.Length);
            Assert.Equal("\"v\"", client.Call("GET", "k").ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void Redis_cli_with_a_password(string kind)
    {
        using PasswordServer server = StartWithPassword(kind);
        Assert.Equal("OK", RedisCli.Run(server.Port, "-a", Password, "--no-auth-warning", "SET", "greeting", "hello"));
        Assert.Equal("hello", RedisCli.Run(server.Port, "-a", Password, "--no-auth-warning", "GET", "greeting"));
        Assert.Equal("hello", RedisCli.Run(server.Port, "--user", "default", "--pass", Password, "--no-auth-warning", "GET", "greeting"));
        Assert.Equal("NOAUTH Authentication required.", RedisCli.Run(server.Port, "GET", "greeting"));
        Assert.Contains("WRONGPASS invalid username-password pair or user is disabled.",
            RedisCli.Run(server.Port, "-a", "wrong", "--no-auth-warning", "GET", "greeting"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("worker", RedisProtocol.Resp2)]
    [InlineData("worker", RedisProtocol.Resp3)]
    [InlineData("orchestrator", RedisProtocol.Resp2)]
    [InlineData("orchestrator", RedisProtocol.Resp3)]
    public async Task StackExchange_redis_with_a_password(string kind, RedisProtocol protocol)
    {
        using PasswordServer server = StartWithPassword(kind);
        // RESP3 authenticates with HELLO 3 AUTH default <password>; RESP2 with AUTH <password>.
        await using (ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(
            $"127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)},password={Password},protocol={protocol},abortConnect=true,connectTimeout=10000,syncTimeout=10000,asyncTimeout=10000"))
        {
            IDatabase db = redis.GetDatabase();
            Assert.Equal(protocol, redis.GetServer(redis.GetEndPoints()[0]).Protocol);
            Assert.True(await db.StringSetAsync("name", "tanson"));
            Assert.Equal("tanson", (string?)await db.StringGetAsync("name"));
            Assert.Equal(3, await db.StringIncrementAsync("n", 3));
        }
        var wrong = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", server.Port } },
            Password = "wrong",
            Protocol = protocol,
            AbortOnConnectFail = true,
            ConnectTimeout = 5_000,
            ConnectRetry = 1,
        };
        var refused = await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(wrong));
        Assert.Equal(ConnectionFailureType.AuthenticationFailure, refused.FailureType);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_binary_client_with_a_password(string kind)
    {
        using PasswordServer server = StartWithPassword(kind);
        await using (EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", server.Port, new EchoClientOptions { Password = Password }))
        {
            Assert.Equal(BinaryStatus.Ok, (await client.SetAsync("k"u8.ToArray(), "v"u8.ToArray())).Status);
            Assert.Equal("v"u8.ToArray(), (await client.GetAsync("k"u8.ToArray())).Value);
        }
        await using (EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", server.Port))
        {
            EchoReply refused = await client.SetAsync("k"u8.ToArray(), "forbidden"u8.ToArray());
            Assert.Equal(BinaryStatus.AuthRequired, refused.Status);
            Assert.Equal("NOAUTH Authentication required."u8.ToArray(), refused.Value);
            Assert.Equal(BinaryStatus.Ok, (await client.PingAsync("hi"u8.ToArray())).Status);
            EchoReply wrong = await client.AuthenticateAsync(null, "wrong");
            Assert.Equal(BinaryStatus.AuthFailed, wrong.Status);
            Assert.Equal(BinaryStatus.Ok, (await client.AuthenticateAsync("default", Password)).Status);
            Assert.Equal("v"u8.ToArray(), (await client.GetAsync("k"u8.ToArray())).Value);
        }
        var error = await Assert.ThrowsAsync<EchoAuthenticationException>(() =>
            EchoClient.ConnectAsync("127.0.0.1", server.Port, new EchoClientOptions { Password = "wrong" }));
        Assert.Equal("the server refused the password: WRONGPASS invalid username-password pair or user is disabled.", error.Message);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_cli_with_the_password_option_or_the_environment(string kind)
    {
        using PasswordServer server = StartWithPassword(kind);
        string port = server.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal((0, "Success\n"), RunCli([], "127.0.0.1", port, "--password", Password, "set", "name", "tanson"));
        Assert.Equal((0, "tanson\n"), RunCli(new() { [HostProcess.PasswordVariable] = Password }, "127.0.0.1", port, "get", "name"));
        Assert.Equal((5, "Authentication required: the server has a password; give it with --password or the ECHO_CACHE_PASSWORD environment variable\n"),
            RunCli([], "127.0.0.1", port, "get", "name"));
        Assert.Equal((5, $"Authentication failed at 127.0.0.1:{port}: the server refused the password: WRONGPASS invalid username-password pair or user is disabled.\n"),
            RunCli([], "127.0.0.1", port, "--password", "wrong", "get", "name"));

        // The README's dialogue, the password from the environment.
        using HostProcess cli = HostProcess.Start("commandline", new Dictionary<string, string> { [HostProcess.PasswordVariable] = Password },
            "127.0.0.1", port);
        cli.WriteLine("set name tanson");
        cli.WriteLine("get name");
        cli.WriteLine("quit");
        Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(30)), cli.Output);
        Assert.Equal((0, CommandLineTests.ReadmeTranscript + "\n\n>>> quit\n"), (cli.ExitCode, cli.Output));
    }

    private static (int Code, string Output) RunCli(Dictionary<string, string> environment, params string[] arguments)
    {
        using HostProcess cli = HostProcess.Start("commandline", environment, arguments);
        Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(30)), $"commandline did not exit:\n{cli.Output}");
        return (cli.ExitCode, cli.Output);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_password_from_a_file_or_the_environment(string kind)
    {
        string file = Path.Combine(Path.GetTempPath(), $"echo-password-{Guid.NewGuid():N}");
        File.WriteAllText(file, "from a file\nnot this line\n");
        try
        {
            using (PasswordServer server = PasswordServer.Start(kind, "--requirepass-file", file))
            {
                // Everything it says at start is read (the password notice is among the last), and the password is not in it.
                server.Process.WaitForOutput("clients must authenticate: a password is set");
                server.Process.WaitForOutput("listening on");
                Assert.DoesNotContain("from a file", server.Process.Output, StringComparison.Ordinal);
                using RespConnection client = RespConnection.Connect(server.Port, Timeout);
                Assert.Equal(WrongPass, client.Call("AUTH", "not this line").ToString());
                Assert.Equal("OK", client.Call("AUTH", "from a file").ToString());
            }
            using (PasswordServer server = PasswordServer.Start(kind, new Dictionary<string, string> { [HostProcess.PasswordVariable] = "from the environment" }))
            {
                using RespConnection client = RespConnection.Connect(server.Port, Timeout);
                Assert.Equal(NoAuth, client.Call("GET", "k").ToString());
                Assert.Equal("OK", client.Call("AUTH", "from the environment").ToString());
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_password_file_that_cannot_be_read_stops_the_start(string kind)
    {
        string missing = Path.Combine(Path.GetTempPath(), $"echo-no-such-file-{Guid.NewGuid():N}");
        // The options are refused before anything listens or connects: the ports are never used.
        string port = HostProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        string[] arguments = kind == "worker"
            ? [port, "--requirepass-file", missing]
            : [port, "127.0.0.1", "3001", "127.0.0.1", "3002", "--requirepass-file", missing];
        using HostProcess host = HostProcess.Start(kind, arguments);
        Assert.True(host.WaitForExit(Timeout), host.Output);
        Assert.Equal(2, host.ExitCode);
        Assert.StartsWith($"{kind}: cannot read --requirepass-file '{missing}': no such file\nusage: {kind} <port>", host.StandardError, StringComparison.Ordinal);
    }

    /// <summary>
    /// Wrong passwords on connection after connection: each connection closes at its tenth failure, and once about a
    /// hundred have failed server-wide (the burst; ten more come back each second) every attempt, right or wrong, is
    /// refused unchecked; a moment later the right password gets in again.
    /// </summary>
    [Theory]
    [MemberData(nameof(Servers))]
    public void Failed_attempts_are_limited(string kind)
    {
        using PasswordServer server = StartWithPassword(kind);
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        int wrong = 0;
        string? limited = null;
        while (limited == null)
        {
            Assert.True(wrong < 400, $"{wrong} wrong passwords were all checked: nothing limits them");
            using RespConnection client = RespConnection.Connect(server.Port, Timeout);
            for (int i = 0; i < 10; i++)
            {
                RespReply reply = client.Call("AUTH", $"guess {wrong}");
                if (reply.ToString() != WrongPass)
                {
                    limited = reply.ToString();
                }
                wrong += limited == null ? 1 : 0;
            }
            Assert.True(client.ReadSeesClose(), "the connection stayed open after 10 failed attempts");
        }
        Assert.Equal("(error) ERR too many failed AUTH attempts, try again later", limited);
        // The burst (100) and what refilled meanwhile (10 a second) were checked; no more.
        Assert.InRange(wrong, 100, 100 + (int)(10 * elapsed.Elapsed.TotalSeconds) + 1);

        // Tokens come back: the right password gets in within a second or so.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using RespConnection client = RespConnection.Connect(server.Port, Timeout);
            RespReply reply = client.Call("AUTH", Password);
            if (reply.IsStatus("OK"))
            {
                Assert.Equal("OK", client.Call("SET", "k", "v").ToString());
                break;
            }
            Assert.Equal("(error) ERR too many failed AUTH attempts, try again later", reply.ToString());
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the right password was still refused after 10 s");
            Thread.Sleep(50);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_binary_frame_over_16_KiB_before_auth_is_refused_from_its_header(string kind)
    {
        using PasswordServer server = StartWithPassword(kind);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect("127.0.0.1", server.Port);
        byte[] frame = RawBinary.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Auth, RequestId = 3 }, [], new byte[1 << 20]);
        socket.Send(frame.AsSpan(0, BinaryProtocol.HeaderSize)); // the header alone: the body is never read
        (BinaryFrameHeader header, string value) = RawBinary.ReadReply(socket);
        Assert.Equal((BinaryOpcode.Auth, 3UL, BinaryStatus.TooLarge), (header.Opcode, header.RequestId, header.Status));
        Assert.Equal("a frame over 16 KiB before AUTH", value);
        Assert.Equal(0, socket.Receive(new byte[1])); // closed
    }
}
