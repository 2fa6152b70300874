using System.Buffers.Binary;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>Builds binary frames for tests: one or more valid requests and replies per opcode.</summary>
internal static class BinaryFrames
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Request(in BinaryFrameHeader header, ReadOnlySpan<byte> key = default, ReadOnlySpan<byte> value = default)
    {
        var frame = new byte[BinaryProtocol.HeaderSize + key.Length + value.Length];
        Assert.True(BinaryCodec.TryWriteRequest(header, key, value, frame, out int written));
        Assert.Equal(frame.Length, written);
        return frame;
    }

    public static byte[] Request(BinaryOpcode opcode, string key = "", string value = "", ulong requestId = 1) =>
        Request(new BinaryFrameHeader { Opcode = opcode, RequestId = requestId }, Bytes(key), Bytes(value));

    public static byte[] Reply(in BinaryFrameHeader header, ReadOnlySpan<byte> key = default, ReadOnlySpan<byte> value = default)
    {
        var frame = new byte[BinaryProtocol.HeaderSize + key.Length + value.Length];
        Assert.True(BinaryCodec.TryWriteReply(header, key, value, frame, out int written));
        Assert.Equal(frame.Length, written);
        return frame;
    }

    /// <summary>The value of a DIGEST reply counting the given (slot, hash) items.</summary>
    public static byte[] DigestOf(params (int Slot, ulong Hash)[] items)
    {
        var digest = new SlotDigest();
        foreach ((int slot, ulong hash) in items)
        {
            digest.Add(slot, hash);
            digest.ObserveVersion((ulong)slot + 1);
        }
        var bytes = new byte[digest.EncodedSize];
        digest.Write(bytes);
        return bytes;
    }

    public static byte[] Counter(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Keys(params string[] keys)
    {
        var body = new List<byte>();
        var entry = new byte[BinaryProtocol.MaxKeyLength + 2];
        foreach (string key in keys)
        {
            Assert.True(BinaryCodec.TryWriteBatchKey(Bytes(key), entry, out int written));
            body.AddRange(entry.AsSpan(0, written).ToArray());
        }
        return body.ToArray();
    }

    public static byte[] Pairs(params (string Key, string Value)[] pairs)
    {
        var body = new List<byte>();
        foreach ((string key, string value) in pairs)
        {
            var entry = new byte[BinaryCodec.BatchPairSize(Bytes(key).Length, Bytes(value).Length)];
            Assert.True(BinaryCodec.TryWriteBatchPair(Bytes(key), Bytes(value), entry, out int written));
            Assert.Equal(entry.Length, written);
            body.AddRange(entry);
        }
        return body.ToArray();
    }

    /// <summary>A valid request of every opcode, with the fields that opcode uses filled in.</summary>
    public static IEnumerable<(string Name, BinaryFrameHeader Header, byte[] Key, byte[] Value)> ValidRequests()
    {
        byte[] key = Bytes("user:1001");
        yield return ("GET", new() { Opcode = BinaryOpcode.Get, RequestId = 1, Flags = BinaryFrameFlags.AcceptCompressed }, key, []);
        yield return ("SET", new() { Opcode = BinaryOpcode.Set, RequestId = 2, Expiry = 60_000, ItemFlags = 7 }, key, Bytes("tanson"));
        yield return ("SET KEEPTTL", new() { Opcode = BinaryOpcode.Set, RequestId = 3, Flags = BinaryFrameFlags.KeepTtl }, key, Bytes("v"));
        yield return ("SET empty value", new() { Opcode = BinaryOpcode.Set, RequestId = 4 }, key, []);
        yield return ("ADD", new() { Opcode = BinaryOpcode.Add, RequestId = 5, Flags = BinaryFrameFlags.AbsoluteExpiry, Expiry = 1_900_000_000_000 }, key, Bytes("v"));
        yield return ("REPLACE", new() { Opcode = BinaryOpcode.Replace, RequestId = 6, Flags = BinaryFrameFlags.Compressed }, key, [5, 0, 0, 0, 0x50, 0x68, 0x65, 0x6C, 0x6C, 0x6F]);
        yield return ("CAS", new() { Opcode = BinaryOpcode.Cas, RequestId = 7, Version = 42, Expiry = 10 }, key, Bytes("new"));
        yield return ("DEL", new() { Opcode = BinaryOpcode.Delete, RequestId = 8 }, key, []);
        yield return ("DEL if version", new() { Opcode = BinaryOpcode.Delete, RequestId = 9, Version = 43 }, key, []);
        yield return ("INCR", new() { Opcode = BinaryOpcode.Increment, RequestId = 10, Expiry = 1000, ItemFlags = 1 }, key, Counter(5));
        yield return ("DECR", new() { Opcode = BinaryOpcode.Decrement, RequestId = 11 }, key, Counter(long.MinValue));
        yield return ("TOUCH", new() { Opcode = BinaryOpcode.Touch, RequestId = 12, Expiry = 30_000 }, key, []);
        yield return ("TOUCH persist", new() { Opcode = BinaryOpcode.Touch, RequestId = 13 }, key, []);
        yield return ("MGET", new() { Opcode = BinaryOpcode.MultiGet, RequestId = 14 }, [], Keys("a", "bb", new string('c', 250)));
        yield return ("MSET", new() { Opcode = BinaryOpcode.MultiSet, RequestId = 15, Expiry = 5000, ItemFlags = 3 }, [], Pairs(("a", "1"), ("bb", ""), ("ccc", "333")));
        yield return ("PING", new() { Opcode = BinaryOpcode.Ping, RequestId = 16 }, [], Bytes("hello"));
        yield return ("PING empty", new() { Opcode = BinaryOpcode.Ping, RequestId = ulong.MaxValue }, [], []);
        yield return ("STATS", new() { Opcode = BinaryOpcode.Stats, RequestId = 17 }, [], []);
        yield return ("STATS group", new() { Opcode = BinaryOpcode.Stats, RequestId = 18 }, Bytes("engine"), []);
        yield return ("AUTH", new() { Opcode = BinaryOpcode.Auth, RequestId = 19 }, Bytes("admin"), Bytes("s3cret"));
        yield return ("FLUSH", new() { Opcode = BinaryOpcode.Flush, RequestId = 20 }, [], []);
        yield return ("REPLICA_SET", new() { Opcode = BinaryOpcode.ReplicaSet, RequestId = 21, Version = 100, Flags = BinaryFrameFlags.AbsoluteExpiry, Expiry = 1_800_000_000_000, ItemFlags = 9 }, key, Bytes("replica"));
        yield return ("REPLICA_DEL", new() { Opcode = BinaryOpcode.ReplicaDelete, RequestId = 22, Version = 101 }, key, []);
        yield return ("REPLICA_INCR", new() { Opcode = BinaryOpcode.ReplicaIncrement, RequestId = 23, Version = 102 }, key, Counter(-4));
        yield return ("REPLICA_TOUCH", new() { Opcode = BinaryOpcode.ReplicaTouch, RequestId = 24, Version = 103, Expiry = 5000 }, key, []);
        yield return ("COMMAND", new() { Opcode = BinaryOpcode.Command, RequestId = 27, Version = 104, Expiry = 1_900_000_000_000, ItemFlags = 0x0001_0003, Flags = BinaryFrameFlags.SenderClock | BinaryFrameFlags.Resp3 }, key, Bytes("*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"));
        yield return ("BINARY_COMMAND", new() { Opcode = BinaryOpcode.BinaryCommand, RequestId = 28, Version = 105, Expiry = 1_900_000_000_000, Flags = BinaryFrameFlags.SenderClock }, [], Request(BinaryOpcode.Get, "k"));
        yield return ("SNAPSHOT", new() { Opcode = BinaryOpcode.Snapshot, RequestId = 25 }, [], []);
        yield return ("SNAPSHOT of some slots", new() { Opcode = BinaryOpcode.Snapshot, RequestId = 29, Version = 106, Expiry = 1_900_000_000_000 }, [], SlotBitmap.Of([0, 7, 8, 16383]));
        yield return ("DIGEST", new() { Opcode = BinaryOpcode.Digest, RequestId = 30, Version = 107, Expiry = 1_900_000_000_000, ItemFlags = 0x0002_0003 }, [], []);
        yield return ("HEALTH", new() { Opcode = BinaryOpcode.Health, RequestId = 26 }, [], []);
        yield return ("HEALTH acknowledging notices", new() { Opcode = BinaryOpcode.Health, RequestId = 27, Version = 1234 }, [], []);
        yield return ("LINK_CHALLENGE", new() { Opcode = BinaryOpcode.LinkChallenge, RequestId = 29 }, [], new byte[16]);
        yield return ("LINK_JOIN", new() { Opcode = BinaryOpcode.LinkJoin, RequestId = 30, Version = 1_796_300_000_000 }, [], new byte[32]);
        yield return ("key of 250 bytes", new() { Opcode = BinaryOpcode.Get, RequestId = 27 }, Bytes(new string('k', 250)), []);
        yield return ("binary key and value", new() { Opcode = BinaryOpcode.Set, RequestId = 28 }, [0, 0xEC, 0xFF, (byte)'\r'], [0xED, 0, 1, 2, (byte)'\n']);
    }

    /// <summary>A valid reply of every kind: plain, multi-frame, snapshot items and ends, errors.</summary>
    public static IEnumerable<(string Name, BinaryFrameHeader Header, byte[] Key, byte[] Value)> ValidReplies()
    {
        byte[] key = Bytes("user:1001");
        var health = new byte[BinaryHealth.Size];
        new BinaryHealth { InstanceId = 0xDEADBEEF, UptimeMs = 1234, Items = 10, MemoryUsed = 1 << 20, MemoryLimit = 64 << 20 }
            .TryWrite(health, out _);
        yield return ("GET hit", new() { Opcode = BinaryOpcode.Get, RequestId = 1, Version = 77, ItemFlags = 7, Flags = BinaryFrameFlags.AbsoluteExpiry, Expiry = 1_900_000_000_000 }, [], Bytes("tanson"));
        yield return ("GET compressed", new() { Opcode = BinaryOpcode.Get, RequestId = 2, Version = 78, Flags = BinaryFrameFlags.Compressed }, [], [5, 0, 0, 0, 0x50, 0x68, 0x65, 0x6C, 0x6C, 0x6F]);
        yield return ("GET miss", new() { Opcode = BinaryOpcode.Get, RequestId = 3, Status = BinaryStatus.NotFound }, [], []);
        yield return ("SET ok", new() { Opcode = BinaryOpcode.Set, RequestId = 4, Version = 79 }, [], []);
        yield return ("ADD exists", new() { Opcode = BinaryOpcode.Add, RequestId = 5, Status = BinaryStatus.Exists }, [], []);
        yield return ("REPLACE not found", new() { Opcode = BinaryOpcode.Replace, RequestId = 6, Status = BinaryStatus.NotFound }, [], []);
        yield return ("CAS mismatch", new() { Opcode = BinaryOpcode.Cas, RequestId = 7, Status = BinaryStatus.Exists }, [], []);
        yield return ("DEL ok", new() { Opcode = BinaryOpcode.Delete, RequestId = 8, Version = 80 }, [], []);
        yield return ("INCR ok", new() { Opcode = BinaryOpcode.Increment, RequestId = 9, Version = 81 }, [], Counter(6));
        yield return ("DECR not a number", new() { Opcode = BinaryOpcode.Decrement, RequestId = 10, Status = BinaryStatus.NotANumber }, [], []);
        yield return ("INCR overflow", new() { Opcode = BinaryOpcode.Increment, RequestId = 11, Status = BinaryStatus.Overflow }, [], []);
        yield return ("TOUCH ok", new() { Opcode = BinaryOpcode.Touch, RequestId = 12, Version = 82 }, [], []);
        yield return ("MGET item", new() { Opcode = BinaryOpcode.MultiGet, RequestId = 13, Flags = BinaryFrameFlags.More, Version = 83 }, Bytes("a"), Bytes("1"));
        yield return ("MGET last miss", new() { Opcode = BinaryOpcode.MultiGet, RequestId = 13, Status = BinaryStatus.NotFound }, Bytes("bb"), []);
        yield return ("MSET ok", new() { Opcode = BinaryOpcode.MultiSet, RequestId = 14 }, [], []);
        yield return ("PING", new() { Opcode = BinaryOpcode.Ping, RequestId = 15 }, [], Bytes("hello"));
        yield return ("STATS counter", new() { Opcode = BinaryOpcode.Stats, RequestId = 16, Flags = BinaryFrameFlags.More }, Bytes("items"), Bytes("42"));
        yield return ("STATS end", new() { Opcode = BinaryOpcode.Stats, RequestId = 16 }, [], []);
        yield return ("AUTH refused", new() { Opcode = BinaryOpcode.Auth, RequestId = 17, Status = BinaryStatus.AuthFailed }, [], Bytes("WRONGPASS invalid username-password pair or user is disabled."));
        yield return ("NOAUTH", new() { Opcode = BinaryOpcode.Get, RequestId = 17, Status = BinaryStatus.AuthRequired }, [], Bytes("NOAUTH Authentication required."));
        yield return ("FLUSH ok", new() { Opcode = BinaryOpcode.Flush, RequestId = 18 }, [], []);
        yield return ("REPLICA_SET stale", new() { Opcode = BinaryOpcode.ReplicaSet, RequestId = 19, Status = BinaryStatus.Stale }, [], []);
        yield return ("REPLICA_DEL ok", new() { Opcode = BinaryOpcode.ReplicaDelete, RequestId = 20, Version = 101 }, [], []);
        yield return ("REPLICA_INCR ok", new() { Opcode = BinaryOpcode.ReplicaIncrement, RequestId = 21, Version = 102 }, [], Counter(-4));
        yield return ("REPLICA_TOUCH ok", new() { Opcode = BinaryOpcode.ReplicaTouch, RequestId = 22, Version = 103 }, [], []);
        yield return ("COMMAND reply", new() { Opcode = BinaryOpcode.Command, RequestId = 25, Version = 104 }, [], [4, 0, 0, 0, (byte)':', (byte)'1', 13, 10]);
        yield return ("BINARY_COMMAND reply", new() { Opcode = BinaryOpcode.BinaryCommand, RequestId = 26, Version = 105 }, [], [0, 0, 0, 0]);
        yield return ("SNAPSHOT item", new() { Opcode = BinaryOpcode.Snapshot, RequestId = 23, Flags = BinaryFrameFlags.More | BinaryFrameFlags.Compressed | BinaryFrameFlags.AbsoluteExpiry, Version = 5, ItemFlags = 2, Expiry = 1_900_000_000_000 }, key, [5, 0, 0, 0, 0x50, 0x68, 0x65, 0x6C, 0x6C, 0x6F]);
        yield return ("SNAPSHOT tombstone", new() { Opcode = BinaryOpcode.Snapshot, RequestId = 23, Flags = BinaryFrameFlags.More | BinaryFrameFlags.Tombstone | BinaryFrameFlags.AbsoluteExpiry, Version = 6, Expiry = 1_700_000_000_000 }, key, []);
        yield return ("SNAPSHOT end", new() { Opcode = BinaryOpcode.Snapshot, RequestId = 23 }, [], Counter(2));
        yield return ("DIGEST", new() { Opcode = BinaryOpcode.Digest, RequestId = 30 }, [], DigestOf((3, 0x1234), (3, 0x5678), (16383, 1)));
        yield return ("HEALTH", new() { Opcode = BinaryOpcode.Health, RequestId = 24 }, [], health);
        yield return ("EVICTED", new() { Opcode = BinaryOpcode.Evicted, RequestId = 17, Version = 9 }, key, []);
        yield return ("LINK_CHALLENGE", new() { Opcode = BinaryOpcode.LinkChallenge, RequestId = 25, Version = 7 }, [], new byte[48]);
        yield return ("LINK_JOIN", new() { Opcode = BinaryOpcode.LinkJoin, RequestId = 26, Version = 8 }, [], []);
        yield return ("FENCED", new() { Opcode = BinaryOpcode.ReplicaSet, RequestId = 27, Version = 9, Status = BinaryStatus.Fenced }, [], Bytes("fenced: a newer orchestrator (epoch 9) has joined this worker"));
        yield return ("NOT_PERMITTED", new() { Opcode = BinaryOpcode.Set, RequestId = 28, Status = BinaryStatus.NotPermitted }, [], Bytes("this worker belongs to a cluster"));
        yield return ("EVICTED notices lost", new() { Opcode = BinaryOpcode.Evicted, Status = BinaryStatus.ServerError, RequestId = 18 }, [],
            Bytes("eviction notices were lost"));
        yield return ("error with text", new() { Opcode = BinaryOpcode.Get, RequestId = 25, Status = BinaryStatus.BadRequest }, [], Bytes("key required"));
        yield return ("unavailable", new() { Opcode = BinaryOpcode.Get, RequestId = 26, Status = BinaryStatus.Unavailable }, [], []);
        yield return ("busy", new() { Opcode = BinaryOpcode.Set, RequestId = 27, Status = BinaryStatus.Busy }, [], []);
        yield return ("too large", new() { Opcode = BinaryOpcode.Set, RequestId = 28, Status = BinaryStatus.TooLarge }, [], []);
        yield return ("server error", new() { Opcode = BinaryOpcode.Set, RequestId = 29, Status = BinaryStatus.ServerError }, [], []);
        yield return ("connection error", new() { Opcode = BinaryOpcode.ConnectionError, Status = BinaryStatus.BadRequest }, [], Bytes("wrong magic byte"));
        yield return ("error echoing an unknown opcode", new() { Opcode = (BinaryOpcode)0x30, RequestId = 30, Status = BinaryStatus.BadRequest }, [], Bytes("unknown opcode"));
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
