using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>The published worker binary, driven over sockets with the project's own client.</summary>
public sealed class WorkerBinaryTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Set_get_delete_and_the_conditional_writes()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);

        EchoReply set = await client.SetAsync(B("name"), B("tanson"), itemFlags: 7);
        Assert.Equal(BinaryStatus.Ok, set.Status);
        EchoReply get = await client.GetAsync(B("name"));
        Assert.Equal("tanson", Encoding.UTF8.GetString(get.Value));
        Assert.Equal(7u, get.ItemFlags);
        Assert.Equal(set.Version, get.Version);

        Assert.Equal(BinaryStatus.Exists, (await client.AddAsync(B("name"), B("x"))).Status);
        Assert.Equal(BinaryStatus.NotFound, (await client.ReplaceAsync(B("other"), B("x"))).Status);
        Assert.Equal(BinaryStatus.Exists, (await client.CompareAndSetAsync(B("name"), B("x"), get.Version + 100)).Status);
        EchoReply cas = await client.CompareAndSetAsync(B("name"), B("cas"), get.Version);
        Assert.Equal(BinaryStatus.Ok, cas.Status);
        Assert.True(cas.Version > get.Version);

        Assert.Equal(BinaryStatus.Ok, (await client.DeleteAsync(B("name"))).Status);
        Assert.Equal(BinaryStatus.NotFound, (await client.GetAsync(B("name"))).Status);
        Assert.Equal(BinaryStatus.NotFound, (await client.DeleteAsync(B("name"))).Status);
    }

    [Fact]
    public async Task Increment_expiry_and_batches()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);

        EchoReply first = await client.IncrementAsync(B("counter"), 5);
        Assert.Equal(5, BinaryPrimitives.ReadInt64LittleEndian(first.Value));
        EchoReply second = await client.IncrementAsync(B("counter"), -7);
        Assert.Equal(-2, BinaryPrimitives.ReadInt64LittleEndian(second.Value));
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("text"), B("abc"))).Status);
        Assert.Equal(BinaryStatus.NotANumber, (await client.IncrementAsync(B("text"))).Status);

        // On the worker's own clock: a key with 200 ms to live is gone once they have passed, and not before.
        long asked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("brief"), B("lived"), TimeSpan.FromMilliseconds(200))).Status);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await client.GetAsync(B("brief"))).Status == BinaryStatus.Ok)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "a key with 200 ms to live still reads after 10 s");
            await Task.Delay(10);
        }
        long gone = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.True(gone - asked >= 200, $"a key with 200 ms to live read missing {gone - asked} ms after it was set");
        Assert.Equal(BinaryStatus.NotFound, (await client.GetAsync(B("brief"))).Status);

        // On a clock the test sets (SENDER_CLOCK, as the orchestrator sends it): the item's expiry is 200 ms after the
        // write, it reads at the millisecond before, and not at that instant, however long the test took to ask.
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("short"), B("lived"), TimeSpan.FromMilliseconds(200))).Status);
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        EchoReply set = await GetAtAsync(client, "short", before);
        Assert.Equal(BinaryStatus.Ok, set.Status);
        Assert.True(set.Flags.HasFlag(BinaryFrameFlags.AbsoluteExpiry));
        Assert.InRange(set.Expiry, before + 200, after + 200);
        EchoReply alive = await GetAtAsync(client, "short", set.Expiry - 1);
        Assert.Equal(BinaryStatus.Ok, alive.Status);
        Assert.Equal("lived", Encoding.UTF8.GetString(alive.Value));
        Assert.Equal(BinaryStatus.NotFound, (await GetAtAsync(client, "short", set.Expiry)).Status);

        var pairs = Enumerable.Range(0, 50).Select(i => new KeyValuePair<byte[], byte[]>(B($"k{i}"), B($"v{i}"))).ToList();
        Assert.Equal(BinaryStatus.Ok, (await client.MultiSetAsync(pairs)).Status);
        IReadOnlyList<EchoReply> replies = await client.MultiGetAsync([B("k3"), B("missing"), B("k49")]);
        Assert.Equal(3, replies.Count);
        Assert.Equal("v3", Encoding.UTF8.GetString(replies[0].Value));
        Assert.Equal(BinaryStatus.NotFound, replies[1].Status);
        Assert.Equal("missing", Encoding.UTF8.GetString(replies[1].Key));
        Assert.Equal("v49", Encoding.UTF8.GetString(replies[2].Value));
    }

    /// <summary>A GET judged at the sender's instant <paramref name="clock"/> (Unix ms), as the orchestrator's are.</summary>
    private static Task<EchoReply> GetAtAsync(EchoClient client, string key, long clock) =>
        client.SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, Flags = BinaryFrameFlags.SenderClock, Expiry = clock }, B(key), default);

    [Fact]
    public async Task Many_pipelined_requests_on_one_connection_all_get_their_own_reply()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        Task<EchoReply>[] sets = Enumerable.Range(0, 2000).Select(i => client.SetAsync(B($"key:{i}"), B($"value:{i}"))).ToArray();
        EchoReply[] stored = await Task.WhenAll(sets);
        Assert.All(stored, s => Assert.Equal(BinaryStatus.Ok, s.Status));
        EchoReply[] gets = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => client.GetAsync(B($"key:{i}"))));
        for (int i = 0; i < gets.Length; i++)
        {
            Assert.True(gets[i].IsOk, $"key:{i} reads {gets[i].Status}");
            Assert.Equal($"value:{i}", Encoding.UTF8.GetString(gets[i].Value));
        }
    }

    [Fact]
    public async Task Pipelined_replica_writes_and_reads_allocate_nothing_on_the_managed_heap()
    {
        // What the orchestrator sends a worker: versioned replica writes and reads, pipelined on one link.
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        var replicaSet = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet };
        byte[][] keys = [.. Enumerable.Range(0, 200).Select(i => B($"key:{i:D4}"))];
        byte[] value = B(new string('v', 64));
        ulong version = 0;
        async Task Round()
        {
            EchoReply[] writes = await Task.WhenAll(keys.Select(k => client.SendOneAsync(replicaSet with { Version = ++version }, k, value)));
            Assert.All(writes, w => Assert.Equal(BinaryStatus.Ok, w.Status));
            EchoReply[] reads = await Task.WhenAll(keys.Select(k => client.GetAsync(k)));
            Assert.All(reads, r => Assert.Equal(64, r.Value.Length));
        }

        for (int i = 0; i < 10; i++)
        {
            await Round(); // warm: buffers sized, tables grown
        }
        long before = long.Parse((await client.StatsAsync())["managed_allocated_bytes"], System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < 50; i++)
        {
            await Round();
        }
        long after = long.Parse((await client.StatsAsync())["managed_allocated_bytes"], System.Globalization.CultureInfo.InvariantCulture);
        // 20,000 requests between the readings; STATS itself allocates nothing. The smallest object a request
        // could allocate (24 bytes) would show as 480 KB.
        Assert.InRange(after - before, 0, 8 * 1024);
    }

    [Fact]
    public async Task Large_values_are_compressed_in_the_worker_and_read_back_whole()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        byte[] big = B(string.Concat(Enumerable.Repeat("echo cache compresses repeated text; ", 40_000))); // ~1.5 MB
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("big"), big)).Status);
        EchoReply get = await client.GetAsync(B("big"));
        Assert.Equal(big, get.Value);
        IReadOnlyDictionary<string, string> stats = await client.StatsAsync();
        Assert.True(long.Parse(stats["memory_used"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("1", stats["items"]);
    }

    [Fact]
    public async Task Garbage_closes_that_connection_and_other_clients_keep_their_data()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        Assert.Equal(BinaryStatus.Ok, (await client.SetAsync(B("kept"), B("safe"))).Status);

        // A frame whose value length is over the 64 MiB cap: a TooLarge reply, then the server closes.
        byte[] oversized = new byte[BinaryProtocol.HeaderSize];
        oversized[0] = BinaryProtocol.RequestMagic;
        oversized[1] = BinaryProtocol.ProtocolVersion;
        oversized[2] = (byte)BinaryOpcode.Set;
        oversized[4] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(oversized.AsSpan(8), uint.MaxValue);
        using (Socket socket = SendRaw(port, oversized))
        {
            Assert.Equal(BinaryStatus.TooLarge, RawBinary.ReadReply(socket).Header.Status);
            AssertClosed(socket);
        }

        // A binary frame with an unknown opcode: a BadRequest reply (the frame is well delimited), and the connection
        // serves on.
        byte[] unknown = new byte[BinaryProtocol.HeaderSize];
        unknown[0] = BinaryProtocol.RequestMagic;
        unknown[1] = BinaryProtocol.ProtocolVersion;
        unknown[2] = 0x3E;
        using (Socket socket = SendRaw(port, unknown))
        {
            Assert.Equal(BinaryStatus.BadRequest, RawBinary.ReadReply(socket).Header.Status);
            socket.Send(RawBinary.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Get }, B("kept"), []));
            (BinaryFrameHeader header, string value) = RawBinary.ReadReply(socket);
            Assert.Equal((BinaryStatus.Ok, "safe"), (header.Status, value));
        }

        // A wrong version: reply and close.
        using (Socket socket = SendRaw(port, [BinaryProtocol.RequestMagic, 9, 1, 0]))
        {
            Assert.Equal(BinaryStatus.BadRequest, RawBinary.ReadReply(socket).Header.Status);
            AssertClosed(socket);
        }

        EchoReply kept = await client.GetAsync(B("kept"));
        Assert.True(kept.IsOk, $"kept reads {kept.Status}");
        Assert.Equal("safe", Encoding.UTF8.GetString(kept.Value));
        Assert.False(worker.HasExited);
    }

    [Fact]
    public async Task Snapshot_streams_every_item_with_its_version_and_then_the_count()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        var versions = new Dictionary<string, ulong>();
        for (int start = 0; start < 3000; start += 100)
        {
            EchoReply[] sets = await Task.WhenAll(Enumerable.Range(start, 100).Select(i => client.SetAsync(B($"s{i}"), B($"v{i}"))));
            for (int i = 0; i < sets.Length; i++)
            {
                Assert.Equal(BinaryStatus.Ok, sets[i].Status);
                versions[$"s{start + i}"] = sets[i].Version;
            }
        }
        IReadOnlyList<EchoReply> frames = await client.SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot }, default, default);
        EchoReply end = frames[^1];
        Assert.False(end.Flags.HasFlag(BinaryFrameFlags.More));
        Assert.Equal(3000, BinaryPrimitives.ReadInt64LittleEndian(end.Value));
        var seen = frames.Take(frames.Count - 1).ToDictionary(f => Encoding.UTF8.GetString(f.Key), f => f.Version);
        Assert.Equal(versions.OrderBy(p => p.Key), seen.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Replica_writes_apply_only_when_newer()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port);
        var replicaSet = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet };
        Assert.Equal(BinaryStatus.Ok, (await client.SendOneAsync(replicaSet with { Version = 10 }, B("k"), B("ten"))).Status);
        Assert.Equal(BinaryStatus.Stale, (await client.SendOneAsync(replicaSet with { Version = 9 }, B("k"), B("nine"))).Status);
        var replicaDelete = new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaDelete, Version = 12 };
        Assert.Equal(BinaryStatus.Ok, (await client.SendOneAsync(replicaDelete, B("k"), default)).Status);
        // A late write older than the delete must not bring the key back.
        Assert.Equal(BinaryStatus.Stale, (await client.SendOneAsync(replicaSet with { Version = 11 }, B("k"), B("late"))).Status);
        Assert.Equal(BinaryStatus.NotFound, (await client.GetAsync(B("k"))).Status);

        EchoReply health = await client.SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Health }, default, default);
        Assert.True(BinaryHealth.TryRead(health.Value, out BinaryHealth info));
        Assert.NotEqual(0UL, info.InstanceId);
    }

    [Theory]
    [InlineData(new string[0], "missing <port>")]
    [InlineData(new[] { "abc" }, "<port> must be a port number")]
    [InlineData(new[] { "70000" }, "<port> must be a port number")]
    [InlineData(new[] { "3000", "--memory", "1kb" }, "--memory must be a size")]
    [InlineData(new[] { "3000", "--bogus", "1" }, "unknown option --bogus")]
    [InlineData(new[] { "3000", "--poll", "-1" }, "--poll must be a whole number from 0 to 10000")]
    [InlineData(new[] { "3000", "--poll", "20000" }, "--poll must be a whole number from 0 to 10000")]
    [InlineData(new[] { "3000", "4000" }, "too many arguments")]
    public void A_bad_command_line_gets_a_clear_message_and_exit_code_2(string[] arguments, string message)
    {
        using HostProcess worker = HostProcess.Start("worker", arguments);
        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, worker.ExitCode);
        Assert.Contains(message, worker.Output, StringComparison.Ordinal);
        Assert.Contains("usage: worker <port>", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Sigterm_stops_the_worker_cleanly()
    {
        using HostProcess worker = HostProcess.StartWorker(out _);
        worker.Terminate();
        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, worker.ExitCode);
        Assert.Contains("stopping", worker.Output, StringComparison.Ordinal);
    }

    /// <summary>Sends raw bytes on a fresh connection, whose reads then wait 10 s at most.</summary>
    private static Socket SendRaw(int port, byte[] bytes)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        socket.Connect(IPAddress.Loopback, port);
        socket.Send(bytes);
        return socket;
    }

    /// <summary>The server closes the connection (end of stream, or a reset) with nothing more sent, within the read timeout.</summary>
    private static void AssertClosed(Socket socket)
    {
        try
        {
            Assert.Equal(0, socket.Receive(new byte[BinaryProtocol.HeaderSize]));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with unread input: a reset.
        }
    }
}
