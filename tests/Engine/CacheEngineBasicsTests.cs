using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class CacheEngineBasicsTests
{
    private static CacheEngine NewEngine(ManualClock? clock = null, long limit = 64L << 20) =>
        new(new EngineOptions { MemoryLimit = limit }, clock);

    [Fact]
    public void Set_then_get_returns_the_value()
    {
        using CacheEngine engine = NewEngine();
        Assert.Equal(CacheStatus.Ok, engine.Set("name", "tanson"));
        Assert.Equal("tanson", engine.GetString("name"));
        Assert.Null(engine.GetString("other"));
        Assert.Equal(1, engine.Count);
    }

    [Fact]
    public void Prefetch_changes_nothing_for_any_key_even_while_the_table_resizes()
    {
        using CacheEngine engine = NewEngine();
        engine.Prefetch(default);
        engine.Prefetch(new byte[EngineLimits.MaxKeyLength + 1]);
        for (int i = 0; i < 50_000; i++)
        {
            // Every resize of every shard happens in here: the prefetches read tables being replaced.
            engine.Prefetch(EngineTestExtensions.Bytes($"key:{i + 1}"));
            Assert.Equal(CacheStatus.Ok, engine.Set($"key:{i}", $"value:{i}"));
            engine.Prefetch(EngineTestExtensions.Bytes($"key:{i / 2}"));
        }
        Assert.Equal(50_000, engine.Count);
        for (int i = 0; i < 50_000; i += 7)
        {
            Assert.Equal($"value:{i}", engine.GetString($"key:{i}"));
        }
        Assert.Null(engine.GetString("key:50000"));
    }

    [Fact]
    public void Overwrite_with_a_different_size_keeps_one_item()
    {
        using CacheEngine engine = NewEngine();
        engine.Set("k", "short");
        engine.Set("k", new string('x', 5000));
        Assert.Equal(new string('x', 5000), engine.GetString("k"));
        engine.Set("k", "tiny");
        Assert.Equal("tiny", engine.GetString("k"));
        Assert.Equal(1, engine.Count);
    }

    [Fact]
    public void Many_keys_survive_resizes()
    {
        using CacheEngine engine = NewEngine();
        for (int i = 0; i < 200_000; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set($"key:{i}", $"value:{i}"));
        }
        for (int i = 0; i < 200_000; i++)
        {
            Assert.Equal($"value:{i}", engine.GetString($"key:{i}"));
        }
        Assert.Equal(200_000, engine.Count);
    }
}
