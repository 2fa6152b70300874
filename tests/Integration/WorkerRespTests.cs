namespace EchoCache.Tests.Integration;

/// <summary>The published worker binary, driven over RESP by the real redis-cli.</summary>
public sealed class WorkerRespTests
{
    [Fact]
    public void Redis_cli_sets_gets_and_deletes()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal("PONG", RedisCli.Run(port, "ping"));
        Assert.Equal("OK", RedisCli.Run(port, "set", "name", "tanson"));
        Assert.Equal("tanson", RedisCli.Run(port, "get", "name"));
        Assert.Equal("1", RedisCli.Run(port, "exists", "name"));
        Assert.Equal("(integer) 1", RedisCli.Run(port, "--no-raw", "del", "name"));
        Assert.Equal("(nil)", RedisCli.Run(port, "--no-raw", "get", "name"));
    }

    [Fact]
    public void Redis_cli_counters_expiry_and_errors()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal("11", RedisCli.Run(port, "incrby", "n", "11"));
        Assert.Equal("10", RedisCli.Run(port, "decr", "n"));
        var since = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("OK", RedisCli.Run(port, "set", "t", "v", "EX", "100"));
        int ttl = int.Parse(RedisCli.Run(port, "ttl", "t"), System.Globalization.CultureInfo.InvariantCulture);
        // No more than 100, and no less than the time since the set allows (a TTL rounds to the second).
        Assert.InRange(ttl, 100 - (int)Math.Ceiling(since.Elapsed.TotalSeconds) - 1, 100);
        Assert.Equal("-1", RedisCli.Run(port, "ttl", "n"));
        Assert.Equal("-2", RedisCli.Run(port, "ttl", "missing"));
        Assert.StartsWith("ERR unknown command 'nosuchcommand'", RedisCli.Run(port, "nosuchcommand", "a"), StringComparison.Ordinal);
        Assert.Equal("ERR value is not an integer or out of range", RedisCli.Run(port, "incr", "t"));
        Assert.Equal("ERR wrong number of arguments for 'get' command", RedisCli.Run(port, "get"));
        Assert.Equal("v", RedisCli.Run(port, "get", "t"));
    }

    [Fact]
    public void Redis_cli_pipe_mode_loads_many_keys_in_one_go()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        var commands = new System.Text.StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            string key = $"key:{i}", value = $"value:{i}";
            commands.Append($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${value.Length}\r\n{value}\r\n");
        }
        string report = RedisCli.RunWithInput(port, commands.ToString(), "--pipe");
        Assert.Contains("errors: 0, replies: 10000", report, StringComparison.Ordinal);
        Assert.Equal("10000", RedisCli.Run(port, "dbsize"));
        Assert.Equal("value:9999", RedisCli.Run(port, "get", "key:9999"));
    }

    [Fact]
    public void A_malformed_request_gets_a_protocol_error_and_the_worker_keeps_serving()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal("OK", RedisCli.Run(port, "set", "kept", "safe"));
        using System.Net.Sockets.Socket socket = RawResp.Connect(port);
        socket.Send("*1\r\n$abc\r\n"u8.ToArray());
        // Everything until the server closes the connection (each read bounded by the socket's timeout): the error line.
        var received = new List<byte>();
        byte[] buffer = new byte[256];
        for (int n; (n = socket.Receive(buffer)) > 0;)
        {
            received.AddRange(buffer.AsSpan(0, n));
        }
        string reply = System.Text.Encoding.ASCII.GetString([.. received]);
        Assert.StartsWith("-ERR Protocol error", reply, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", reply, StringComparison.Ordinal);
        Assert.Single(reply.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("safe", RedisCli.Run(port, "get", "kept"));
    }

    [Fact]
    public void Pipelined_sets_and_gets_allocate_nothing_on_the_managed_heap()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        using System.Net.Sockets.Socket socket = RawResp.Connect(port);
        // 100 SETs of 16-byte values, then 100 GETs of them: 100 * "+OK\r\n" and 100 * "$16\r\n<16>\r\n" back.
        string batch = string.Concat(Enumerable.Range(0, 100).Select(i => RawResp.Command("SET", $"key:{i:D4}", $"{i:D16}")))
            + string.Concat(Enumerable.Range(0, 100).Select(i => RawResp.Command("GET", $"key:{i:D4}")));
        byte[] requests = System.Text.Encoding.ASCII.GetBytes(batch);
        int replyLength = (100 * 5) + (100 * 23);
        byte[] replies = new byte[replyLength];
        void Round()
        {
            socket.Send(requests);
            RawResp.ReadExactly(socket, replies);
        }

        for (int i = 0; i < 20; i++)
        {
            Round(); // warm: buffers sized, tables grown
        }
        Assert.Equal("$16\r\n0000000000000099\r\n", System.Text.Encoding.ASCII.GetString(replies, replyLength - 23, 23));
        long before = RawResp.ManagedAllocatedBytes(socket);
        for (int i = 0; i < 100; i++)
        {
            Round();
        }
        long after = RawResp.ManagedAllocatedBytes(socket);
        // 20,000 requests between the readings; what the INFO itself allocates (its text: 4.8 KB here) is all
        // there is. The smallest object a request could allocate (24 bytes) would show as 480 KB.
        Assert.InRange(after - before, 0, 8 * 1024);
    }
}
