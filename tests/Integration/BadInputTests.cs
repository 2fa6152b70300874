using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Bad input sent through the orchestrator (docs/operations.md, "Limits a client meets"), in RESP and in the binary
/// protocol: oversized keys and values, expiry times that are zero, negative or not numbers, INCR/DECR past the 64-bit
/// range, INCR of a value that is no number. Each gets a clear error (Redis's text where Redis has the case), and
/// nothing is lost: the key keeps its value, version and expiry, every other key is intact, and both copies stay
/// identical (<see cref="CopyAudit"/>).
/// </summary>
public sealed class BadInputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const string Max = "9223372036854775807";
    private const string Min = "-9223372036854775808";
    private const int Others = 200;

    // A health timeout a machine busy with other tests does not trip: this test is about replies, not failures.
    private static readonly string[] ClusterOptions = ["--health-timeout", "2000"];

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Letters and digits at random: LZ4 cannot fit this many into one 1 MiB item.</summary>
    private static string Incompressible(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var random = new Random(7);
        return string.Create(length, random, (span, r) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = alphabet[r.Next(alphabet.Length)];
        });
    }

    private static void Seed(RespConnection client)
    {
        Assert.True(client.Call("SET", "k", "old").IsStatus("OK"));
        Assert.True(client.Call("SET", "t", "timed", "EX", "3600").IsStatus("OK"));
        Assert.True(client.Call("SET", "max", Max).IsStatus("OK"));
        Assert.True(client.Call("SET", "min", Min).IsStatus("OK"));
        Assert.True(client.Call("SET", "text", "not a number").IsStatus("OK"));
        for (int i = 0; i < Others; i++)
        {
            Assert.True(client.Call("SET", $"other:{i}", $"v{i}").IsStatus("OK"));
        }
    }

    /// <summary>Every key as <see cref="Seed"/> left it, on both copies, and the copies identical.</summary>
    private static async Task AssertNothingLostAsync(LocalCluster cluster, RespConnection client, long ttlBefore)
    {
        Assert.Equal("old", client.Call("GET", "k").Text);
        Assert.Equal(-1, client.Call("TTL", "k").Integer); // no expiry slipped in
        Assert.InRange(client.Call("TTL", "t").Integer, ttlBefore - 60, ttlBefore);
        Assert.Equal(Max, client.Call("GET", "max").Text);
        Assert.Equal(Min, client.Call("GET", "min").Text);
        Assert.Equal("not a number", client.Call("GET", "text").Text);
        for (int i = 0; i < Others; i++)
        {
            Assert.Equal($"v{i}", client.Call("GET", $"other:{i}").Text);
        }
        Assert.Equal(Others + 5, client.Call("DBSIZE").Integer);
        var map = new SlotMap(cluster.WorkerCount);
        int slot = SlotMap.SlotOf(B("k"));
        foreach (int w in new[] { map.PrimaryOf(slot), map.PartnerOf(slot) })
        {
            await using EchoClient direct = await cluster.ConnectToWorkerAsync(w);
            EchoReply held = await direct.GetAsync(B("k"));
            Assert.True(held.IsOk && Encoding.UTF8.GetString(held.Value) == "old", $"worker {w} holds k as {held.Status}");
            Assert.Equal(0, held.Expiry);
        }
        IPEndPoint[] workers = [.. Enumerable.Range(0, cluster.WorkerCount).Select(i => new IPEndPoint(IPAddress.Loopback, cluster.WorkerPort(i)))];
        CopyAuditResult audit = await new CopyAudit(workers) { Attempts = 3 }.RunAsync();
        Assert.True(audit.Identical, audit.Describe());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Bad_input_in_RESP_gets_Redis_s_errors_and_loses_nothing(int workers)
    {
        using LocalCluster cluster = LocalCluster.Start(workers, ClusterOptions);
        using var client = RespConnection.Connect(cluster.Port, Timeout);
        Seed(client);
        long ttl = client.Call("TTL", "t").Integer;
        string longKey = new('k', 251);
        string huge = Incompressible(3 << 20);

        (string[] Command, string Error)[] cases =
        [
            (["SET", "k", "new", "EX", "-1"], "ERR invalid expire time in 'set' command"),
            (["SET", "k", "new", "EX", "0"], "ERR invalid expire time in 'set' command"),
            (["SET", "k", "new", "PX", "-5"], "ERR invalid expire time in 'set' command"),
            (["SET", "k", "new", "PX", "0"], "ERR invalid expire time in 'set' command"),
            (["SET", "k", "new", "EXAT", "-1"], "ERR invalid expire time in 'set' command"),
            (["SET", "k", "new", "EX", "9223372036854775807"], "ERR invalid expire time in 'set' command"),
            (["SET", "k", "new", "EX", "soon"], "ERR value is not an integer or out of range"),
            (["SETEX", "k", "0", "new"], "ERR invalid expire time in 'setex' command"),
            (["SETEX", "k", "-1", "new"], "ERR invalid expire time in 'setex' command"),
            (["PSETEX", "k", "0", "new"], "ERR invalid expire time in 'psetex' command"),
            (["PSETEX", "k", "-10", "new"], "ERR invalid expire time in 'psetex' command"),
            (["GETEX", "k", "EX", "-1"], "ERR invalid expire time in 'getex' command"),
            (["GETEX", "k", "PX", "0"], "ERR invalid expire time in 'getex' command"),
            (["EXPIRE", "k", "soon"], "ERR value is not an integer or out of range"),
            (["PEXPIRE", "k", "9223372036854775807"], "ERR invalid expire time in 'pexpire' command"),
            (["INCR", "max"], "ERR increment or decrement would overflow"),
            (["INCRBY", "max", "1"], "ERR increment or decrement would overflow"),
            (["DECR", "min"], "ERR increment or decrement would overflow"),
            (["DECRBY", "min", "1"], "ERR increment or decrement would overflow"),
            (["INCRBY", "min", "-1"], "ERR increment or decrement would overflow"),
            (["DECRBY", "max", Min], "ERR decrement would overflow"),
            (["INCRBY", "max", "9223372036854775808"], "ERR value is not an integer or out of range"),
            (["INCR", "text"], "ERR value is not an integer or out of range"),
            (["INCRBY", "k", "1"], "ERR value is not an integer or out of range"),
            (["SET", longKey, "v"], "ERR key longer than 250 bytes"),
            (["SET", "k", huge], "ERR value too large: an item must fit in 1 MiB after compression"),
            (["APPEND", "k", huge], "ERR value too large: an item must fit in 1 MiB after compression"),
        ];
        var wrong = new List<string>();
        foreach ((string[] command, string error) in cases)
        {
            RespReply reply = client.Call(command);
            if (!reply.IsError || reply.Text != error)
            {
                wrong.Add($"{string.Join(' ', command.Select(a => a.Length > 40 ? $"<{a.Length} bytes>" : a))}: expected \"{error}\", got {reply}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        // A read of a key no item can have finds nothing, as on a lone worker (and in Redis, which has no such limit).
        Assert.True(client.Call("GET", longKey).IsNil);
        await AssertNothingLostAsync(cluster, client, ttl);

        // As in Redis, a non-positive time to live given to EXPIRE or PEXPIRE deletes the key (on both copies): it is
        // no error. Nothing else goes with it.
        Assert.True(client.Call("SET", "doomed", "x").IsStatus("OK"));
        Assert.True(client.Call("SET", "doomed2", "x").IsStatus("OK"));
        Assert.Equal(1, client.Call("EXPIRE", "doomed", "-5").Integer);
        Assert.Equal(1, client.Call("PEXPIRE", "doomed2", "-1").Integer);
        Assert.Equal(0, client.Call("EXISTS", "doomed", "doomed2").Integer);
        await AssertNothingLostAsync(cluster, client, ttl);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Bad_input_in_the_binary_protocol_gets_a_clear_status_and_loses_nothing(int workers)
    {
        using LocalCluster cluster = LocalCluster.Start(workers, ClusterOptions);
        using var resp = RespConnection.Connect(cluster.Port, Timeout);
        Seed(resp);
        long ttl = resp.Call("TTL", "t").Integer;
        await using EchoClient client = await cluster.ConnectAsync();
        EchoReply before = await client.GetAsync(B("k"));
        Assert.True(before.IsOk);

        static byte[] Counter(long delta)
        {
            byte[] counter = new byte[BinaryProtocol.CounterSize];
            BinaryPrimitives.WriteInt64LittleEndian(counter, delta);
            return counter;
        }
        (string What, BinaryFrameHeader Header, string Key, byte[] Value, BinaryStatus Expected)[] cases =
        [
            ("SET with a negative time to live", new() { Opcode = BinaryOpcode.Set, Expiry = -1 }, "k", B("new"), BinaryStatus.BadRequest),
            ("SET at a negative absolute expiry", new() { Opcode = BinaryOpcode.Set, Expiry = -1, Flags = BinaryFrameFlags.AbsoluteExpiry }, "k", B("new"), BinaryStatus.BadRequest),
            ("SET past the latest expiry", new() { Opcode = BinaryOpcode.Set, Expiry = long.MaxValue }, "k", B("new"), BinaryStatus.BadRequest),
            ("TOUCH with a negative time to live", new() { Opcode = BinaryOpcode.Touch, Expiry = -5 }, "k", [], BinaryStatus.BadRequest),
            ("SET of a value no item holds", new() { Opcode = BinaryOpcode.Set }, "k", B(Incompressible(3 << 20)), BinaryStatus.TooLarge),
            ("INCR past the largest integer", new() { Opcode = BinaryOpcode.Increment }, "max", Counter(1), BinaryStatus.Overflow),
            ("INCR by a negative past the smallest", new() { Opcode = BinaryOpcode.Increment }, "min", Counter(-1), BinaryStatus.Overflow),
            ("INCR of the smallest by the smallest", new() { Opcode = BinaryOpcode.Increment }, "min", Counter(long.MinValue), BinaryStatus.Overflow),
            ("DECR past the smallest integer", new() { Opcode = BinaryOpcode.Decrement }, "min", Counter(1), BinaryStatus.Overflow),
            ("INCR of a value that is no number", new() { Opcode = BinaryOpcode.Increment }, "text", Counter(1), BinaryStatus.NotANumber),
            ("INCR of k", new() { Opcode = BinaryOpcode.Increment }, "k", Counter(1), BinaryStatus.NotANumber),
        ];
        var wrong = new List<string>();
        foreach ((string what, BinaryFrameHeader header, string key, byte[] value, BinaryStatus expected) in cases)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            EchoReply reply = await client.SendOneAsync(header, B(key), value, timeout.Token);
            if (reply.Status != expected || reply.Value.Length == 0)
            {
                wrong.Add($"{what}: expected {expected} with a reason, got {reply.Status} \"{Encoding.UTF8.GetString(reply.Value)}\"");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        // A key of 251 bytes: the header's one-byte key length allows it, the client library does not send it.
        using (Socket raw = RawResp.Connect(cluster.Port))
        {
            byte[] frame = RawBinary.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 1 }, B(new string('k', 250)), B("v"));
            frame = [.. frame[..(BinaryProtocol.HeaderSize + 250)], (byte)'k', .. frame[(BinaryProtocol.HeaderSize + 250)..]];
            frame[4] = 251;
            raw.Send(frame);
            (BinaryFrameHeader header, string reason) = RawBinary.ReadReply(raw);
            Assert.Equal(BinaryStatus.TooLarge, header.Status);
            Assert.Equal(1UL, header.RequestId);
            Assert.NotEmpty(reason);
            // The connection serves on.
            raw.Send(RawBinary.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = 2 }, B("k"), []));
            (BinaryFrameHeader get, string value) = RawBinary.ReadReply(raw);
            Assert.Equal(BinaryStatus.Ok, get.Status);
            Assert.Equal("old", value);
        }

        EchoReply after = await client.GetAsync(B("k"));
        Assert.Equal(before.Version, after.Version); // not even rewritten
        await AssertNothingLostAsync(cluster, resp, ttl);
    }
}
