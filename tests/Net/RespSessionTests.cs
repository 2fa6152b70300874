using System.Text;
using EchoCache.Net.Server;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>Framing, dispatch and connection state of <see cref="EchoCache.Net.Worker.RespSession"/>.</summary>
public sealed class RespSessionTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Pipelined_requests_in_one_input_are_all_answered_in_order()
    {
        byte[] input = [.. RespFrames.Command("SET", "a", "1"), .. RespFrames.Command("INCR", "a"),
            .. RespFrames.Command("GET", "a"), .. RespFrames.Command("GET", "missing"), .. RespFrames.Command("PING")];
        Assert.Equal(Ok + Int(2) + Bulk("2") + Nil + "+PONG\r\n", _h.SendRaw(input));
    }

    [Fact]
    public void A_request_split_across_two_reads_is_executed_once_whole()
    {
        byte[] request = RespFrames.Command("SET", "split", "value");
        for (int cut = 1; cut < request.Length; cut++)
        {
            Assert.Equal(0, _h.Session.Process(request.AsSpan(0, cut), _h.Output));
            Assert.Equal(0, _h.Output.Pending);
        }
        Assert.Equal(Ok, _h.SendRaw(request));
        Assert.Equal(Bulk("value"), _h.Send("GET", "split"));
    }

    [Fact]
    public void Replies_do_not_depend_on_how_the_input_is_split()
    {
        var random = new Random(42);
        var input = new List<byte>();
        for (int i = 0; i < 400; i++)
        {
            string key = $"k{random.Next(20)}";
            string[] command = random.Next(8) switch
            {
                0 => ["SET", key, new string((char)('a' + random.Next(26)), random.Next(0, 3000))],
                1 => ["GET", key],
                2 => ["INCR", $"n{random.Next(5)}"],
                3 => ["DEL", key, $"k{random.Next(20)}"],
                4 => ["MGET", key, "k1", "k2"],
                5 => ["APPEND", key, "xyz"],
                6 => ["GETRANGE", key, "1", "-2"],
                _ => ["ECHO", key],
            };
            input.AddRange(RespFrames.Command(command));
            if (random.Next(10) == 0)
            {
                input.AddRange("PING\r\n"u8.ToArray());
            }
        }
        byte[] all = [.. input];
        using var whole = new RespSessionHarness();
        string expected = whole.SendRaw(all);

        // As the socket loop does: bytes arrive in chunks; what is not consumed stays for the next call.
        using var split = new RespSessionHarness();
        var replies = new StringBuilder();
        int start = 0;
        int end = 0;
        while (end < all.Length)
        {
            end = Math.Min(all.Length, end + random.Next(1, 200));
            start += split.Session.Process(all.AsSpan(start, end - start), split.Output);
            replies.Append(split.Drain());
        }
        Assert.Equal(all.Length, start);
        Assert.Equal(expected, replies.ToString());
    }

    [Fact]
    public void A_pipelined_batch_is_answered_exactly_as_its_requests_one_at_a_time()
    {
        // A long input is parsed ahead of execution, a batch at a time, and its keys prefetched
        // (RespSession.ParseAhead): that must change nothing, whatever the batch holds: inline commands (quoted
        // ones go through the parser's scratch buffer), empty requests, keys too long for the engine, commands
        // without a key, requests with more arguments than a batch keeps.
        var random = new Random(7);
        string tooLong = new('k', EchoCache.Engine.EngineLimits.MaxKeyLength + 1);
        var requests = new List<byte[]>();
        for (int i = 0; i < 300; i++)
        {
            string key = $"key:{random.Next(40):D12}";
            requests.Add(random.Next(14) switch
            {
                12 => RespFrames.Command(["MSET", .. Enumerable.Range(0, 2 * random.Next(1, 50)).Select(j => $"key:{random.Next(40):D12}")]),
                13 => RespFrames.Command(["MGET", .. Enumerable.Range(0, random.Next(1, 40)).Select(j => $"key:{random.Next(40):D12}")]),
                0 => RespFrames.Command("SET", key, new string('v', random.Next(0, 100))),
                1 => RespFrames.Command("INCR", $"n{random.Next(4)}"),
                2 => RespFrames.Ascii($"GET {key}\r\n"),
                3 => RespFrames.Ascii($"SET \"{key}\" \"a b\"\r\n"),
                4 => RespFrames.Ascii("*0\r\n"),
                5 => RespFrames.Command("GET", tooLong),
                6 => RespFrames.Command("PING"),
                7 => RespFrames.Command("MSET", key, "m", $"key:{random.Next(40):D12}", "n"),
                8 => RespFrames.Command("DEL", key),
                _ => RespFrames.Command("GET", key),
            });
        }

        using var oneByOne = new RespSessionHarness();
        var expected = new StringBuilder();
        foreach (byte[] request in requests)
        {
            expected.Append(oneByOne.SendRaw(request));
        }
        using var batched = new RespSessionHarness();
        Assert.Equal(expected.ToString(), batched.SendRaw([.. requests.SelectMany(r => r)]));
        Assert.Equal(oneByOne.Engine.Count, batched.Engine.Count);
    }

    [Fact]
    public void A_malformed_request_after_a_batch_is_answered_after_the_requests_before_it()
    {
        var valid = new List<byte[]>();
        for (int i = 0; i < 20; i++)
        {
            valid.Add(RespFrames.Command("SET", $"key:{i:D12}", $"value:{i}"));
        }
        byte[] input = [.. valid.SelectMany(r => r), .. "*1\r\n$abc\r\n"u8, .. RespFrames.Command("SET", "after", "x")];
        string replies = _h.SendRaw(input);
        Assert.Equal(string.Concat(Enumerable.Repeat(Ok, 20)) + "-ERR Protocol error: invalid bulk length\r\n", replies);
        Assert.True(_h.Session.CloseRequested);
        Assert.Equal(20, _h.Engine.Count);
    }

    [Fact]
    public void Complete_requests_before_an_incomplete_one_are_consumed_and_the_rest_waits()
    {
        byte[] first = RespFrames.Command("SET", "k", "v");
        byte[] second = RespFrames.Command("GET", "k");
        byte[] input = [.. first, .. second.AsSpan(0, 7)];
        Assert.Equal(first.Length, _h.Session.Process(input, _h.Output));
        Assert.Equal(Ok, _h.Drain());
        Assert.Equal(Bulk("v"), _h.SendRaw(second));
    }

    [Fact]
    public void Inline_commands_work_as_redis_cli_and_telnet_send_them()
    {
        Assert.Equal("+PONG\r\n", _h.SendRaw("PING\r\n"));
        Assert.Equal(Ok, _h.SendRaw("set greeting \"hello world\"\r\n"));
        Assert.Equal(Bulk("hello world"), _h.SendRaw("get greeting\n"));
    }

    [Fact]
    public void Empty_requests_are_consumed_without_a_reply()
    {
        Assert.Equal("", _h.SendRaw("*0\r\n"));
        Assert.Equal("", _h.SendRaw("\r\n"));
        Assert.Equal("+PONG\r\n", _h.SendRaw("*-1\r\n*1\r\n$4\r\nPING\r\n"));
    }

    [Fact]
    public void Command_names_are_case_insensitive()
    {
        Assert.Equal(Ok, _h.Send("sEt", "k", "v"));
        Assert.Equal(Bulk("v"), _h.Send("gEt", "k"));
        Assert.Equal(Int(1), _h.Send("ExIsTs", "k"));
        Assert.Equal(Ok, _h.Send("client", "setname", "x"));
    }

    [Fact]
    public void Unknown_commands_get_redis_error_with_the_first_arguments()
    {
        Assert.Equal(Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "), _h.Send("foo", "a", "b"));
        Assert.Equal(Err("ERR unknown command 'FOO', with args beginning with: "), _h.Send("FOO"));
        Assert.Equal(Err("ERR unknown command 'LPUSH', with args beginning with: 'list' 'x' "), _h.Send("LPUSH", "list", "x"));
    }

    [Fact]
    public void Unknown_command_error_cuts_the_name_and_arguments_at_128_bytes_and_blanks_newlines()
    {
        string name = new('n', 200);
        string reply = _h.Send(name, new string('a', 100), new string('b', 100), "c");
        // Redis: '%.128s' for the name; arguments added while their text is under 128 bytes, the last one cut.
        Assert.Equal(Err($"ERR unknown command '{new string('n', 128)}', with args beginning with: '{new string('a', 100)}' '{new string('b', 25)}' "), reply);
        Assert.Equal(Err("ERR unknown command 'x y', with args beginning with: 'a  b' "), _h.Send("x\ny", "a\r\nb"));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("GET", "a", "b")]
    [InlineData("SET", "a")]
    [InlineData("SETNX", "a")]
    [InlineData("SETEX", "a", "1")]
    [InlineData("PSETEX", "a", "1")]
    [InlineData("GETSET", "a")]
    [InlineData("GETDEL")]
    [InlineData("GETEX")]
    [InlineData("MGET")]
    [InlineData("MSET", "a")]
    [InlineData("MSETNX", "a")]
    [InlineData("INCR")]
    [InlineData("DECR", "a", "b")]
    [InlineData("INCRBY", "a")]
    [InlineData("DECRBY", "a")]
    [InlineData("INCRBYFLOAT", "a")]
    [InlineData("APPEND", "a")]
    [InlineData("STRLEN")]
    [InlineData("GETRANGE", "a", "0")]
    [InlineData("SETRANGE", "a", "0")]
    [InlineData("DEL")]
    [InlineData("UNLINK")]
    [InlineData("EXISTS")]
    [InlineData("TOUCH")]
    [InlineData("TYPE")]
    [InlineData("RENAME", "a")]
    [InlineData("RENAMENX", "a")]
    [InlineData("COPY", "a")]
    [InlineData("KEYS")]
    [InlineData("SCAN")]
    [InlineData("RANDOMKEY", "x")]
    [InlineData("EXPIRE", "a")]
    [InlineData("PEXPIRE", "a")]
    [InlineData("EXPIREAT", "a")]
    [InlineData("PEXPIREAT", "a")]
    [InlineData("EXPIRETIME")]
    [InlineData("PEXPIRETIME")]
    [InlineData("TTL")]
    [InlineData("PTTL")]
    [InlineData("PERSIST")]
    [InlineData("DBSIZE", "x")]
    [InlineData("SELECT")]
    [InlineData("ECHO")]
    [InlineData("PING", "a", "b")]
    [InlineData("AUTH")]
    [InlineData("CLIENT")]
    [InlineData("CONFIG")]
    [InlineData("ROLE", "x")]
    public void Wrong_argument_counts_get_redis_arity_error(params string[] request)
    {
        string name = request[0].ToLowerInvariant();
        Assert.Equal(Err($"ERR wrong number of arguments for '{name}' command"), _h.Send(request));
    }

    [Theory]
    [InlineData("client|setname", "CLIENT", "SETNAME")]
    [InlineData("client|getname", "CLIENT", "GETNAME", "x")]
    [InlineData("client|id", "client", "id", "x")]
    [InlineData("client|setinfo", "CLIENT", "SETINFO", "LIB-NAME")]
    [InlineData("config|get", "CONFIG", "GET")]
    [InlineData("command|count", "COMMAND", "COUNT", "x")]
    public void Subcommand_arity_errors_name_the_full_subcommand(string fullName, params string[] request)
    {
        Assert.Equal(Err($"ERR wrong number of arguments for '{fullName}' command"), _h.Send(request));
    }

    [Fact]
    public void Unknown_subcommands_point_to_help()
    {
        Assert.Equal(Err("ERR unknown subcommand 'nope'. Try CLIENT HELP."), _h.Send("client", "nope"));
        Assert.Equal(Err("ERR unknown subcommand 'SET'. Try CONFIG HELP."), _h.Send("CONFIG", "SET", "a", "b"));
        Assert.Equal(Err("ERR unknown subcommand 'x'. Try COMMAND HELP."), _h.Send("Command", "x"));
    }

    [Fact]
    public void Help_subcommands_answer_arrays_of_lines()
    {
        Assert.StartsWith("*33\r\n+CLIENT <subcommand>", _h.Send("CLIENT", "HELP"), StringComparison.Ordinal);
        Assert.StartsWith("*5\r\n+CONFIG <subcommand>", _h.Send("CONFIG", "HELP"), StringComparison.Ordinal);
        Assert.StartsWith("*17\r\n+COMMAND <subcommand>", _h.Send("COMMAND", "HELP"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n")]
    [InlineData("*1\r\n$4\r\nPINGxx", "-ERR Protocol error: missing CRLF after bulk data\r\n")]
    [InlineData("set a \"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public void Malformed_input_gets_the_protocol_error_and_closes(string input, string expected)
    {
        Assert.Equal(expected, _h.SendRaw(input));
        Assert.True(_h.Session.CloseRequested);
    }

    [Fact]
    public void Requests_before_a_malformed_one_are_answered_and_nothing_after_it_runs()
    {
        string input = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n" + "*1\r\n$-5\r\n" + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n";
        Assert.Equal(Ok + "-ERR Protocol error: invalid bulk length\r\n", _h.SendRaw(input));
        Assert.True(_h.Session.CloseRequested);
        Assert.False(_h.Engine.Contains("b"u8));
        Assert.Equal(5, _h.Session.Process(RespFrames.Ascii("PING\n"), _h.Output)); // consumed, ignored
        Assert.Equal("", _h.Drain());
    }

    [Fact]
    public void Quit_replies_ok_then_closes_without_running_what_follows()
    {
        byte[] input = [.. RespFrames.Command("SET", "a", "1"), .. RespFrames.Command("QUIT"), .. RespFrames.Command("SET", "b", "2")];
        Assert.Equal(Ok + Ok, _h.SendRaw(input));
        Assert.True(_h.Session.CloseRequested);
        Assert.True(_h.Engine.Contains("a"u8));
        Assert.False(_h.Engine.Contains("b"u8));
    }

    [Fact]
    public void Processing_stops_once_the_output_is_full_and_resumes_from_the_rest()
    {
        using var h = new RespSessionHarness(outputSize: 256, highWater: 256);
        h.Send("SET", "big", new string('x', 200));
        byte[] get = RespFrames.Command("GET", "big");
        byte[] input = [.. get, .. get, .. get];
        int consumed = h.Session.Process(input, h.Output);
        Assert.Equal(2 * get.Length, consumed); // the second reply passes 256 bytes: stop there
        string first = h.Drain();
        Assert.Equal(Bulk(new string('x', 200)) + Bulk(new string('x', 200)), first);
        Assert.Equal(get.Length, h.Session.Process(input.AsSpan(consumed), h.Output));
        Assert.Equal(Bulk(new string('x', 200)), h.Drain());
    }

    [Fact]
    public void Commands_are_counted_in_worker_stats()
    {
        long before = _h.Stats.CommandsProcessed;
        _h.Send("SET", "a", "1");
        _h.Send("GET", "a");
        _h.Send("PING");
        _h.Send("nosuch");
        Assert.Equal(before + 3, _h.Stats.CommandsProcessed);
    }

    [Fact]
    public void Ping_and_echo()
    {
        Assert.Equal("+PONG\r\n", _h.Send("PING"));
        Assert.Equal(Bulk("hello"), _h.Send("PING", "hello"));
        Assert.Equal(Bulk("hi there"), _h.Send("ECHO", "hi there"));
        Assert.Equal(EmptyBulk, _h.Send("ECHO", ""));
    }

    [Fact]
    public void Select_accepts_only_database_zero()
    {
        Assert.Equal(Ok, _h.Send("SELECT", "0"));
        Assert.Equal(Err("ERR DB index is out of range"), _h.Send("SELECT", "1"));
        Assert.Equal(Err("ERR DB index is out of range"), _h.Send("SELECT", "-1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("SELECT", "zero"));
        Assert.Equal(Err("ERR value is out of range, value must between -2147483648 and 2147483647"), _h.Send("SELECT", "4294967296"));
    }

    [Fact]
    public void Auth_without_a_configured_password_answers_as_redis()
    {
        Assert.Equal(Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"),
            _h.Send("AUTH", "secret"));
        Assert.Equal(Ok, _h.Send("AUTH", "default", "anything"));
        Assert.Equal(Err("WRONGPASS invalid username-password pair or user is disabled."), _h.Send("AUTH", "admin", "secret"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("AUTH", "a", "b", "c"));
    }

    [Fact]
    public void Client_name_id_and_setinfo()
    {
        Assert.Equal(Nil, _h.Send("CLIENT", "GETNAME"));
        Assert.Equal(Ok, _h.Send("CLIENT", "SETNAME", "app-1"));
        Assert.Equal(Bulk("app-1"), _h.Send("CLIENT", "GETNAME"));
        Assert.Equal(Err("ERR Client names cannot contain spaces, newlines or special characters."), _h.Send("CLIENT", "SETNAME", "a b"));
        Assert.Equal(Bulk("app-1"), _h.Send("CLIENT", "GETNAME"));
        Assert.Equal(Ok, _h.Send("CLIENT", "SETNAME", ""));
        Assert.Equal(Nil, _h.Send("CLIENT", "GETNAME"));

        string id = _h.Send("CLIENT", "ID");
        Assert.Matches(@"^:\d+\r\n$", id);
        var other = _h.NewSession();
        other.Process(RespFrames.Command("CLIENT", "ID"), _h.Output);
        Assert.NotEqual(id, _h.Drain());

        Assert.Equal(Ok, _h.Send("CLIENT", "SETINFO", "LIB-NAME", "SE.Redis"));
        Assert.Equal(Ok, _h.Send("client", "setinfo", "lib-ver", "2.8.0"));
        Assert.Equal(Err("ERR Unrecognized option 'color'"), _h.Send("CLIENT", "SETINFO", "color", "red"));
        Assert.Equal(Err("ERR LIB-NAME cannot contain spaces, newlines or special characters."), _h.Send("CLIENT", "SETINFO", "LIB-NAME", "a b"));
    }

    [Fact]
    public void Hello_without_arguments_describes_the_server_in_resp2()
    {
        string reply = _h.Send("HELLO");
        string id = _h.Send("CLIENT", "ID")[1..^2];
        Assert.Equal("*14\r\n" + Bulk("server") + Bulk("redis") + Bulk("version") + Bulk("7.0.0") + Bulk("proto") + Int(2)
            + Bulk("id") + Int(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)) + Bulk("mode") + Bulk("standalone")
            + Bulk("role") + Bulk("master") + Bulk("modules") + EmptyArray, reply);
    }

    [Fact]
    public void Hello_3_switches_to_resp3_and_answers_a_map()
    {
        string reply = _h.Send("HELLO", "3");
        Assert.StartsWith("%7\r\n" + Bulk("server") + Bulk("redis") + Bulk("version") + Bulk("7.0.0") + Bulk("proto") + Int(3), reply, StringComparison.Ordinal);
        Assert.Equal(Null3, _h.Send("GET", "missing"));
        Assert.Equal("*2\r\n" + Null3 + Null3, _h.Send("MGET", "a", "b"));
        Assert.Equal(Null3, _h.Send("SET", "k", "v", "XX"));
        Assert.Equal(Null3, _h.Send("GETDEL", "k"));
        Assert.Equal(Null3, _h.Send("RANDOMKEY"));
        Assert.Equal(Null3, _h.Send("CLIENT", "GETNAME"));
        Assert.Equal(Ok, _h.Send("SET", "k", "1.5"));
        Assert.Equal(Bulk("2"), _h.Send("INCRBYFLOAT", "k", "0.5")); // a bulk string in RESP3 too, as Redis 7
        Assert.Equal("%1\r\n" + Bulk("databases") + Bulk("1"), _h.Send("CONFIG", "GET", "databases"));
        Assert.StartsWith("*14\r\n", _h.Send("HELLO", "2"), StringComparison.Ordinal);
        Assert.Equal(Nil, _h.Send("GET", "missing"));
    }

    [Fact]
    public void Hello_options_and_errors()
    {
        Assert.Equal(Err("NOPROTO unsupported protocol version"), _h.Send("HELLO", "4"));
        Assert.Equal(Err("NOPROTO unsupported protocol version"), _h.Send("HELLO", "1"));
        Assert.Equal(Err("ERR Protocol version is not an integer or out of range"), _h.Send("HELLO", "three"));
        Assert.Equal(Err("ERR Syntax error in HELLO option 'FOO'"), _h.Send("HELLO", "3", "FOO"));
        Assert.Equal(Err("ERR Syntax error in HELLO option 'AUTH'"), _h.Send("HELLO", "3", "AUTH", "default"));
        Assert.Equal(Err("WRONGPASS invalid username-password pair or user is disabled."), _h.Send("HELLO", "3", "AUTH", "admin", "pw"));
        Assert.Equal(Nil, _h.Send("GET", "x")); // a failed HELLO leaves the version as it was
        Assert.StartsWith("%7\r\n", _h.Send("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "conn1"), StringComparison.Ordinal);
        Assert.Equal(Bulk("conn1"), _h.Send("CLIENT", "GETNAME"));
        Assert.Equal(Err("ERR Client names cannot contain spaces, newlines or special characters."), _h.Send("HELLO", "2", "SETNAME", "a b"));
        Assert.Equal(Null3, _h.Send("GET", "x"));
    }

    [Fact]
    public void Role_and_cluster_answer_as_a_standalone_primary()
    {
        Assert.Equal("*3\r\n" + Bulk("master") + Int(0) + EmptyArray, _h.Send("ROLE"));
        Assert.Equal(Err("ERR This instance has cluster support disabled"), _h.Send("CLUSTER", "NODES"));
    }

    [Fact]
    public void Every_command_a_client_may_send_gets_exactly_one_reply()
    {
        foreach (string[] command in RespFrames.Commands().Where(c => c[0] != "QUIT"))
        {
            byte[] input = [.. RespFrames.Command(command), .. RespFrames.Command("PING", "marker")];
            string reply = _h.SendRaw(input);
            Assert.EndsWith(Bulk("marker"), reply, StringComparison.Ordinal);
            Assert.False(_h.Session.CloseRequested, string.Join(' ', command));
        }
    }

    [Fact]
    public void Replies_are_appended_after_output_still_pending()
    {
        var output = new OutputBuffer(1024, 1 << 20);
        _h.Session.Process(RespFrames.Command("PING"), output);
        _h.Session.Process(RespFrames.Command("ECHO", "x"), output);
        Assert.Equal("+PONG\r\n" + Bulk("x"), Encoding.Latin1.GetString(output.Bytes, 0, output.Pending));
    }
}
