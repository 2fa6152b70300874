using System.Buffers.Binary;
using EchoCache.Engine;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

/// <summary>Every refused input answers with its status and leaves the store as it was.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly CacheEngine _engine;
    private readonly CacheEngine _plain;

    public BadInputTests()
    {
        _engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 }, _clock);
        _plain = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20, CompressionThreshold = 0 }, _clock);
        foreach (CacheEngine engine in new[] { _engine, _plain })
        {
            for (int i = 0; i < 100; i++)
            {
                engine.Set($"keep{i}", $"value{i}");
            }
            engine.Set("n", "41");
        }
    }

    public void Dispose()
    {
        _engine.Dispose();
        _plain.Dispose();
    }

    private void AssertIntact(CacheEngine engine)
    {
        Assert.Equal(101, engine.Count);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal($"value{i}", engine.GetString($"keep{i}"));
        }
        Assert.Equal("41", engine.GetString("n"));
    }

    [Fact]
    public void A_key_over_250_bytes_is_too_large_for_every_operation()
    {
        byte[] key = new byte[EngineLimits.MaxKeyLength + 1];
        var sink = new CopySink();
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Get(key, ref sink));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Set(key, Bytes("v"), default, out _));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Delete(key, default, out _));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Increment(key, 1, default, true, out _, out _));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Touch(key, default, out _));
        Assert.False(_engine.Contains(key));
        Assert.Equal(0, sink.Calls);
        AssertIntact(_engine);
    }

    [Fact]
    public void An_empty_key_is_refused()
    {
        var sink = new CopySink();
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Set([], Bytes("v"), default, out _));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Get([], ref sink));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Increment([], 1, default, true, out _, out _));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Delete([], default, out _));
        Assert.Equal(CacheStatus.KeyTooLarge, _engine.Touch([], default, out _));
        AssertIntact(_engine);
    }

    [Fact]
    public void A_value_too_large_for_a_page_is_refused_when_compression_is_off()
    {
        byte[] value = new byte[EngineLimits.PageSize]; // zeros: would compress, but compression is off
        Assert.Equal(CacheStatus.ValueTooLarge, _plain.Set(Bytes("big"), value, default, out _));
        Assert.Null(_plain.GetString("big"));
        // The largest that fits: header, key and value make exactly one page.
        byte[] fits = new byte[EngineLimits.PageSize - 20 - 3];
        Assert.Equal(CacheStatus.Ok, _plain.Set(Bytes("big"), fits, default, out _));
        Assert.Equal(fits.Length, _plain.GetItem("big", out _).Value!.Length);
        Assert.Equal(CacheStatus.ValueTooLarge, _plain.Set(Bytes("big"), new byte[fits.Length - 3], new WriteOptions { Flags = 1 }, out _));
        Assert.True(_plain.Delete(Bytes("big")) == CacheStatus.Ok);
        AssertIntact(_plain);
    }

    [Fact]
    public void An_incompressible_value_too_large_for_a_page_is_refused_with_compression_on()
    {
        byte[] value = new byte[EngineLimits.PageSize + 1];
        new Random(1).NextBytes(value);
        Assert.Equal(CacheStatus.ValueTooLarge, _engine.Set(Bytes("big"), value, default, out _));
        Assert.Null(_engine.GetString("big"));
        // A replaced value stays when the replacement is refused.
        Assert.Equal(CacheStatus.ValueTooLarge, _engine.Set(Bytes("keep0"), value, default, out _));
        AssertIntact(_engine);
    }

    [Fact]
    public void A_value_that_would_decompress_past_the_limit_is_refused()
    {
        // Zeros compress far below a page, but a replica could not take the compressed form back.
        byte[] value = new byte[EngineLimits.MaxDecompressedLength + 1];
        Assert.Equal(CacheStatus.ValueTooLarge, _engine.Set(Bytes("huge"), value, default, out _));
        AssertIntact(_engine);
    }

    [Theory]
    [InlineData(-1L, 0L)]
    [InlineData(0L, -1L)]
    [InlineData(long.MinValue, 0L)]
    [InlineData(0L, long.MinValue)]
    [InlineData(0L, long.MaxValue)]
    [InlineData(long.MaxValue, 0L)]
    public void A_negative_or_out_of_range_expiry_is_invalid(long ttl, long at)
    {
        var options = new WriteOptions { TimeToLiveMs = ttl, ExpiresAtUnixMs = at };
        Assert.Equal(CacheStatus.InvalidExpiry, _engine.Set(Bytes("keep1"), Bytes("x"), options, out _));
        Assert.Equal(CacheStatus.InvalidExpiry, _engine.Set(Bytes("new"), Bytes("x"), options, out _));
        Assert.Equal(CacheStatus.InvalidExpiry, _engine.Touch(Bytes("keep2"), options, out _));
        Assert.Equal(CacheStatus.InvalidExpiry, _engine.Increment(Bytes("n"), 1, options, true, out _, out _));
        Assert.Equal(CacheStatus.InvalidExpiry, _engine.Increment(Bytes("m"), 1, options, true, out _, out _));
        Assert.Equal(0, _engine.GetItem("keep2", out _).ExpiresAt);
        AssertIntact(_engine);
    }

    public static TheoryData<byte[]> CorruptValues()
    {
        var data = new TheoryData<byte[]>
        {
            Array.Empty<byte>(),
            new byte[] { 1, 2, 3 },
            new byte[] { 5, 0, 0, 0 },
            new byte[] { 0, 0, 0, 0, 0 },
            new byte[] { 255, 255, 255, 255, 0x10, 65 },
            new byte[] { 10, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
        };
        var random = new Random(9);
        for (int i = 0; i < 8; i++)
        {
            byte[] garbage = new byte[random.Next(5, 300)];
            random.NextBytes(garbage);
            BinaryPrimitives.WriteInt32LittleEndian(garbage, random.Next(1, 5000));
            data.Add(garbage);
        }
        // A valid block that decodes to fewer bytes than it claims, and one that claims fewer than it holds.
        byte[] valid = CompressionTests.Compress(new byte[1000]);
        byte[] longer = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(longer, 1001);
        byte[] shorter = (byte[])valid.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(shorter, 999);
        data.Add(longer);
        data.Add(shorter);
        data.Add(valid[..^1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(CorruptValues))]
    public void Garbage_handed_in_as_compressed_is_corrupt(byte[] value)
    {
        var options = new WriteOptions { ValueIsCompressed = true };
        Assert.Equal(CacheStatus.CorruptValue, _engine.Set(Bytes("keep3"), value, options, out _));
        Assert.Equal(CacheStatus.CorruptValue, _engine.Set(Bytes("new"), value, options, out _));
        Assert.Equal(CacheStatus.CorruptValue, _plain.Set(Bytes("keep3"), value, options, out _));
        AssertIntact(_engine);
        AssertIntact(_plain);
    }

    [Fact]
    public void Increment_errors_leave_the_store_intact()
    {
        Assert.Equal(CacheStatus.NotANumber, _engine.Increment(Bytes("keep4"), 1, default, true, out _, out _));
        Assert.Equal(CacheStatus.Overflow, _engine.Increment(Bytes("n"), long.MaxValue, default, true, out _, out _));
        Assert.Equal(CacheStatus.NotFound, _engine.Increment(Bytes("absent"), 1, default, false, out _, out _));
        AssertIntact(_engine);
    }
}
