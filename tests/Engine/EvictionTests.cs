using System.Buffers.Binary;
using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class EvictionTests
{
    private const long Limit = 8L << 20;

    private static byte[] Key(string prefix, int i) => Encoding.ASCII.GetBytes($"{prefix}:{i}");

    /// <summary>A value of the given length whose bytes all derive from the key index, so a wrong one shows.</summary>
    private static byte[] Value(int i, int length)
    {
        byte[] value = new byte[length];
        for (int at = 0; at + 4 <= length; at += 4)
        {
            BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(at), i * 31 + at);
        }
        return value;
    }

    private static void AssertHolds(CacheEngine engine, byte[] key, byte[] expected)
    {
        CopySink item = engine.GetItem(key, out CacheStatus status);
        Assert.Equal(CacheStatus.Ok, status);
        Assert.Equal(expected, item.Value);
    }

    [Fact]
    public void Filling_far_beyond_the_limit_evicts_and_every_set_succeeds()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit });
        const int keys = 300_000; // about 50 MiB of items
        for (int i = 0; i < keys; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Key("k", i), Value(i, 100 + i % 100), default, out _));
            if (i % 5000 == 0)
            {
                EngineStats stats = engine.GetStats();
                Assert.True(stats.Pages <= stats.PageLimit, $"{stats.Pages} pages over a limit of {stats.PageLimit}");
            }
        }
        EngineStats end = engine.GetStats();
        Assert.Equal(8, end.PageLimit);
        Assert.True(end.Pages <= end.PageLimit);
        Assert.True(end.Evictions > 0);
        Assert.Equal(keys - end.Evictions, engine.Count);
        // Most of the memory holds items: at least half of what 8 MiB of ~250-byte chunks can.
        Assert.True(engine.Count > Limit / 250 / 2, $"only {engine.Count} items kept");
        for (int i = keys - 5000; i < keys; i++)
        {
            AssertHolds(engine, Key("k", i), Value(i, 100 + i % 100));
        }
        // Whatever survived from earlier is intact.
        int survivors = 0;
        for (int i = 0; i < keys - 5000; i++)
        {
            CopySink item = engine.GetItem(Key("k", i), out CacheStatus status);
            if (status == CacheStatus.Ok)
            {
                Assert.Equal(Value(i, 100 + i % 100), item.Value);
                survivors++;
            }
        }
        Assert.Equal(engine.Count - 5000, survivors);
    }

    [Fact]
    public void A_key_read_often_survives_a_flood_of_new_keys()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit });
        // Keys of one length, so the hot item shares its size class with the flood and only CLOCK decides.
        byte[] hot = Encoding.ASCII.GetBytes("hot:0000000");
        byte[] hotValue = Value(-1, 150);
        engine.Set(hot, hotValue, default, out _);
        for (int i = 0; i < 200_000; i++)
        {
            engine.Set(Encoding.ASCII.GetBytes($"cold:{i:D6}"), Value(i, 150), default, out _);
            if (i % 1000 == 0)
            {
                AssertHolds(engine, hot, hotValue);
            }
        }
        Assert.True(engine.GetStats().Evictions > 100_000);
        Assert.Equal(0, engine.GetStats().PagesMoved);
        AssertHolds(engine, hot, hotValue);
        // Without reads, an early key is gone.
        Assert.False(engine.Contains(Encoding.ASCII.GetBytes($"cold:{1000:D6}")));
    }

    [Fact]
    public void A_page_moved_to_another_class_does_not_take_the_newest_items()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, CompressionThreshold = 0 });
        // One size class, written round the CLOCK a few times: its hand is part-way through some page.
        const int keys = 250_000;
        for (int i = 0; i < keys; i++)
        {
            engine.Set(Encoding.ASCII.GetBytes($"a:{i:D7}"), Value(i, 100), default, out _);
        }
        Assert.Equal(0, engine.GetStats().PagesMoved);
        // The first item of another size takes a page from that class.
        Assert.Equal(CacheStatus.Ok, engine.Set(Encoding.ASCII.GetBytes("b"), Value(0, 5000), default, out _));
        Assert.Equal(1, engine.GetStats().PagesMoved);
        for (int i = keys - 2000; i < keys; i++)
        {
            AssertHolds(engine, Encoding.ASCII.GetBytes($"a:{i:D7}"), Value(i, 100));
        }
    }

    [Fact]
    public void Classes_do_not_trade_pages_back_and_forth()
    {
        // Values of many sizes in steady proportions: no class should keep losing its last page and taking one back.
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, CompressionThreshold = 0 });
        const int keys = 300_000;
        for (int i = 0; i < keys; i++)
        {
            engine.Set(Key("k", i), Value(i, 100 + i % 100), default, out _);
        }
        EngineStats stats = engine.GetStats();
        Assert.True(stats.PagesMoved < 50, $"{stats.PagesMoved} page moves for a steady mix of sizes");
        for (int i = keys - 10_000; i < keys; i++)
        {
            AssertHolds(engine, Key("k", i), Value(i, 100 + i % 100));
        }
    }

    [Fact]
    public void Mixed_sizes_over_several_shards_never_fail_and_never_exceed_the_limit()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, Shards = 4, CompressionThreshold = 0 });
        var random = new Random(17);
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(10) switch
            {
                0 => random.Next(100_000, EngineLimits.PageSize - 100),
                1 or 2 => random.Next(4000, 60_000),
                _ => random.Next(1, 1000),
            };
            byte[] key = Key("m", i);
            byte[] value = Value(i, length);
            Assert.Equal(CacheStatus.Ok, engine.Set(key, value, default, out _));
            AssertHolds(engine, key, value);
            if (i % 100 == 0)
            {
                EngineStats stats = engine.GetStats();
                Assert.True(stats.Pages <= stats.PageLimit);
            }
        }
        EngineStats end = engine.GetStats();
        Assert.True(end.Evictions > 0);
        Assert.True(end.PagesMoved > 0);
        Assert.Equal(engine.Count, end.Items);
    }

    [Fact]
    public void Memory_moves_to_the_value_size_in_demand()
    {
        // Slab calcification: memory filled by small items must not stay with them once only big items are written.
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, CompressionThreshold = 0 });
        for (int i = 0; i < 100_000; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Key("small", i), Value(i, 100), default, out _));
        }
        EngineStats filled = engine.GetStats();
        Assert.Equal(filled.PageLimit, filled.Pages);
        Assert.True(filled.Evictions > 0);

        const int bigSize = 2000;
        int bigKeys = (int)(5 * Limit / bigSize);
        for (int i = 0; i < bigKeys; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Key("big", i), Value(i, bigSize), default, out _));
        }
        EngineStats end = engine.GetStats();
        Assert.True(end.PagesMoved > 0);
        int big = 0;
        for (int i = 0; i < bigKeys; i++)
        {
            CopySink item = engine.GetItem(Key("big", i), out CacheStatus status);
            if (status == CacheStatus.Ok)
            {
                Assert.Equal(Value(i, bigSize), item.Value);
                big++;
            }
        }
        int perPage = EngineLimits.PageSize / SizeClasses.ChunkSizes[SizeClasses.ClassFor(bigSize + 40)];
        // Most of the 8 pages now serve the new size.
        Assert.True(big > 5 * perPage, $"{big} big items kept; one page holds {perPage}");
        Assert.True(engine.Count - big < 3 * EngineLimits.PageSize / 120, $"{engine.Count - big} small items still held");
    }

    [Fact]
    public void Shards_give_pages_to_each_other_when_one_needs_whole_pages()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = Limit, Shards = 8, CompressionThreshold = 0 });
        for (int i = 0; i < 50_000; i++)
        {
            engine.Set(Key("s", i), Value(i, 200), default, out _);
        }
        // Items of a whole page each: every shard in turn must get pages back from the others.
        for (int i = 0; i < 200; i++)
        {
            byte[] key = Key("page", i);
            byte[] value = Value(i, EngineLimits.PageSize - 100);
            Assert.Equal(CacheStatus.Ok, engine.Set(key, value, default, out _));
            AssertHolds(engine, key, value);
            Assert.True(engine.GetStats().Pages <= 8);
        }
        Assert.True(engine.GetStats().PagesMoved > 0);
    }
}
