using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using EchoCache.Tests.Engine;

namespace EchoCache.Tests.Net;

/// <summary>
/// DIGEST and the filtered SNAPSHOT, driven through a worker's binary session without sockets: what a digest counts
/// (live items at or below the cutoff, not expiring by the horizon, of the key filter's slots; never tombstones), that
/// two copies holding the same items agree whatever else they hold, and what a filtered SNAPSHOT streams.
/// </summary>
public sealed class BinarySessionStreamTests
{
    private const long Now = 1_800_000_000_000;
    private const long Horizon = Now + 120_000;
    private const ulong Cutoff = 500;

    [Fact]
    public void A_digest_counts_the_live_items_at_or_below_the_cutoff_that_outlive_the_horizon()
    {
        using CacheEngine engine = NewEngine();
        Set(engine, "plain", 10);
        Set(engine, "expires soon", 20, expiresAt: Now + 60_000);        // before the horizon: left out
        Set(engine, "expires later", 30, expiresAt: Now + 600_000, flags: 9);
        Set(engine, "{tag}member", 35);                                  // slot of "tag", hash of the whole key
        Set(engine, "deleted", 36);
        Delete(engine, "deleted", 40);                                   // a tombstone: left out
        Set(engine, "too new", 1000);                                    // above the cutoff: left out, but its version is seen
        Set(engine, "expired", 25, expiresAt: Now - 1);                  // expired: never yielded

        SlotDigest digest = DigestOf(engine, Cutoff, Horizon);

        var expected = new SlotDigest();
        Expect(expected, "plain", 10, 0, 0);
        Expect(expected, "expires later", 30, Now + 600_000, 9);
        Expect(expected, "{tag}member", 35, 0, 0);
        Assert.Empty(expected.DifferingSlots(digest));
        Assert.Equal(3UL, digest.Items);
        Assert.Equal(1000UL, digest.HighestVersion);
        Assert.NotEqual(0U, digest.CountOf(KeySlot.Of("tag"u8)));
    }

    [Fact]
    public void Two_copies_holding_the_same_items_agree_whatever_order_they_came_in_and_whatever_else_they_hold()
    {
        using CacheEngine first = NewEngine();
        using CacheEngine second = NewEngine();
        string[] keys = [.. Enumerable.Range(0, 3000).Select(i => $"key:{i}")];
        foreach (string key in keys)
        {
            Set(first, key, 100 + (ulong)key.Length, expiresAt: key.EndsWith('7') ? Now + 3_600_000 : 0);
        }
        foreach (string key in keys.Reverse())
        {
            Set(second, key, 100 + (ulong)key.Length, expiresAt: key.EndsWith('7') ? Now + 3_600_000 : 0);
        }
        // What a digest does not count may differ: tombstones, items above the cutoff, items expiring by the horizon.
        Delete(first, "gone:1", 200);
        Set(second, "later", 900);
        Set(second, "short-lived", 300, expiresAt: Now + 1000);

        Assert.Empty(DigestOf(first, Cutoff, Horizon).DifferingSlots(DigestOf(second, Cutoff, Horizon)));

        // One key at another version: its slot, and only it, differs.
        Set(second, "key:42", 450);
        Assert.Equal([KeySlot.Of("key:42"u8)], DigestOf(first, Cutoff, Horizon).DifferingSlots(DigestOf(second, Cutoff, Horizon)));
    }

    [Fact]
    public void A_key_filter_counts_only_its_pairs_slots()
    {
        using CacheEngine engine = NewEngine();
        for (int i = 0; i < 2000; i++)
        {
            Set(engine, $"k{i}", 50);
        }
        SlotDigest all = DigestOf(engine, Cutoff, Horizon);
        var pairs = Enumerable.Range(0, 3).Select(p => DigestOf(engine, Cutoff, Horizon, new KeyFilter(p, 3))).ToArray();
        for (int slot = 0; slot < KeySlot.Count; slot++)
        {
            for (int p = 0; p < 3; p++)
            {
                uint expected = slot % 3 == p ? all.CountOf(slot) : 0;
                Assert.Equal(expected, pairs[p].CountOf(slot));
                Assert.Equal(slot % 3 == p ? all.SumOf(slot) : 0, pairs[p].SumOf(slot));
            }
        }
        Assert.Equal(all.Items, (ulong)pairs.Sum(d => (long)d.Items));
    }

    [Fact]
    public void A_digest_walks_a_large_table_over_many_turns_and_answers_what_follows_after_it()
    {
        using CacheEngine engine = NewEngine();
        for (int i = 0; i < 200_000; i++)
        {
            Set(engine, $"key:{i}", 10);
        }
        var session = new BinarySession(engine, new WorkerStats());
        var output = new OutputBuffer(64 * 1024, 1 << 20);
        byte[] digest = BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Digest, RequestId = 1, Version = Cutoff, Expiry = Horizon }, [], []);
        byte[] ping = BinaryFrames.Request(BinaryOpcode.Ping, "", "after", requestId: 2);
        byte[] input = [.. digest, .. ping];
        // The PING waits: a walk holds the connection's replies in order.
        Assert.Equal(digest.Length, session.Process(input, output));
        int calls = 0;
        while (session.IsStreaming)
        {
            Assert.Equal(0, output.Pending); // nothing is written until the walk ends
            session.ContinueStream(output);
            calls++;
        }
        Assert.True(calls > 4, $"the walk took {calls} calls: each call should walk a bounded part of the table");
        Assert.Equal(ping.Length, session.Process(input.AsSpan(digest.Length), output));
        List<(BinaryFrameHeader Header, byte[] Key, byte[] Value)> replies = Replies(output);
        Assert.Equal([BinaryOpcode.Digest, BinaryOpcode.Ping], replies.Select(r => r.Header.Opcode));
        Assert.Equal(200_000UL, SlotDigest.TryRead(replies[0].Value)!.Items);
        Assert.Equal("after", Encoding.ASCII.GetString(replies[1].Value));
    }

    [Fact]
    public void A_filtered_snapshot_streams_the_slots_asked_for_at_or_below_the_ceiling_tombstones_included()
    {
        using CacheEngine engine = NewEngine();
        string[] inSlots = ["{a}1", "{a}2", "{b}1"];
        Set(engine, "{a}1", 10, expiresAt: Now + 600_000);
        Set(engine, "{a}2", 11);
        Delete(engine, "{a}2", 12);                                 // a tombstone: streamed, whatever its expiry
        Set(engine, "{b}1", 13);
        Set(engine, "{a}3", 600);                                   // above the ceiling
        Set(engine, "{b}2", 14, expiresAt: Now + 350_000);          // expires by the horizon
        Set(engine, "{c}1", 15);                                    // another slot
        Assert.NotEqual(KeySlot.Of("{c}1"u8), KeySlot.Of("{a}1"u8));
        Assert.NotEqual(KeySlot.Of("{c}1"u8), KeySlot.Of("{b}1"u8));
        byte[] slots = SlotBitmap.Of([KeySlot.Of("a"u8), KeySlot.Of("b"u8)]);

        // A horizon past the tombstone's own expiry (the 5-minute retention): live items expiring by it are left out,
        // tombstones are not.
        List<(BinaryFrameHeader Header, byte[] Key, byte[] Value)> frames =
            Stream(engine, new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot, RequestId = 5, Version = Cutoff, Expiry = Now + 400_000 }, slots);

        var items = frames.Where(f => f.Header.Has(BinaryFrameFlags.More)).ToList();
        Assert.Equal(inSlots.Order(StringComparer.Ordinal), items.Select(f => Encoding.ASCII.GetString(f.Key)).Order(StringComparer.Ordinal));
        var tombstone = items.Single(f => f.Header.Has(BinaryFrameFlags.Tombstone));
        Assert.Equal("{a}2", Encoding.ASCII.GetString(tombstone.Key));
        Assert.Equal(12UL, tombstone.Header.Version);
        Assert.Equal(Now + 600_000, items.Single(f => Encoding.ASCII.GetString(f.Key) == "{a}1").Header.Expiry);
        (BinaryFrameHeader end, _, byte[] count) = frames[^1];
        Assert.False(end.Has(BinaryFrameFlags.More));
        Assert.Equal(BinaryStatus.Ok, end.Status);
        Assert.Equal(3L, BinaryPrimitives.ReadInt64LittleEndian(count));
    }

    [Fact]
    public void An_unfiltered_snapshot_still_streams_everything()
    {
        using CacheEngine engine = NewEngine();
        Set(engine, "a", 10);
        Set(engine, "b", 600, expiresAt: Now + 1_000);
        Delete(engine, "c", 700);
        List<(BinaryFrameHeader Header, byte[] Key, byte[] Value)> frames =
            Stream(engine, new BinaryFrameHeader { Opcode = BinaryOpcode.Snapshot, RequestId = 5 }, []);
        Assert.Equal(["a", "b", "c"], frames.Where(f => f.Header.Has(BinaryFrameFlags.More)).Select(f => Encoding.ASCII.GetString(f.Key)).Order(StringComparer.Ordinal));
        Assert.Equal(3L, BinaryPrimitives.ReadInt64LittleEndian(frames[^1].Value));
    }

    private static CacheEngine NewEngine() => new(new EngineOptions { MemoryLimit = 64L << 20 }, new ManualClock(Now));

    private static void Set(CacheEngine engine, string key, ulong version, long expiresAt = 0, uint flags = 0) =>
        Assert.Equal(CacheStatus.Ok, engine.Set(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"value of {key}"),
            new WriteOptions { Condition = WriteCondition.IfNewer, Version = version, ExpiresAtUnixMs = expiresAt, Flags = flags }, out _));

    private static void Delete(CacheEngine engine, string key, ulong version) =>
        engine.Delete(Encoding.UTF8.GetBytes(key), new WriteOptions { Condition = WriteCondition.IfNewer, Version = version }, out _);

    private static void Expect(SlotDigest digest, string key, ulong version, long expiry, uint flags)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(key);
        digest.Add(KeySlot.Of(bytes), SlotDigest.HashItem(KeyHash.Compute(bytes), version, expiry, flags));
    }

    private static SlotDigest DigestOf(CacheEngine engine, ulong cutoff, long horizon, KeyFilter filter = default)
    {
        var header = new BinaryFrameHeader { Opcode = BinaryOpcode.Digest, RequestId = 3, Version = cutoff, Expiry = horizon, ItemFlags = filter.ToWire() };
        List<(BinaryFrameHeader Header, byte[] Key, byte[] Value)> replies = Stream(engine, header, []);
        (BinaryFrameHeader reply, _, byte[] value) = Assert.Single(replies);
        Assert.Equal(BinaryStatus.Ok, reply.Status);
        Assert.Equal(3UL, reply.RequestId);
        SlotDigest? digest = SlotDigest.TryRead(value);
        Assert.NotNull(digest);
        return digest;
    }

    private static List<(BinaryFrameHeader Header, byte[] Key, byte[] Value)> Stream(CacheEngine engine, BinaryFrameHeader header, byte[] value)
    {
        var session = new BinarySession(engine, new WorkerStats());
        var output = new OutputBuffer(64 * 1024, 1 << 20);
        byte[] request = BinaryFrames.Request(header, [], value);
        Assert.Equal(request.Length, session.Process(request, output));
        var replies = new List<(BinaryFrameHeader, byte[], byte[])>();
        while (session.IsStreaming)
        {
            session.ContinueStream(output);
            replies.AddRange(Replies(output));
        }
        replies.AddRange(Replies(output));
        return replies;
    }

    private static List<(BinaryFrameHeader Header, byte[] Key, byte[] Value)> Replies(OutputBuffer output)
    {
        byte[] bytes = output.Bytes.AsSpan(output.SentOffset, output.Pending).ToArray();
        output.MarkSent(output.Pending);
        var replies = new List<(BinaryFrameHeader, byte[], byte[])>();
        for (int offset = 0; offset < bytes.Length;)
        {
            Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(bytes.AsSpan(offset), out BinaryFrame frame, out int consumed));
            replies.Add((frame.Header, frame.Key.ToArray(), frame.Value.ToArray()));
            offset += consumed;
        }
        return replies;
    }
}
