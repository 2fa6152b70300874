using System.Buffers.Binary;
using System.Text;
using EchoCache.Engine;
using K4os.Compression.LZ4;
using static EchoCache.Tests.Engine.EngineTestExtensions;

namespace EchoCache.Tests.Engine;

public sealed class CompressionTests
{
    /// <summary>The engine's compressed form: u32 LE original length, then an LZ4 block.</summary>
    internal static byte[] Compress(byte[] plain)
    {
        byte[] buffer = new byte[4 + LZ4Codec.MaximumOutputSize(plain.Length)];
        int length = LZ4Codec.Encode(plain, buffer.AsSpan(4));
        BinaryPrimitives.WriteInt32LittleEndian(buffer, plain.Length);
        return buffer[..(4 + length)];
    }

    private static byte[] Compressible(int length)
    {
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, length / 8 + 1).Select(i => $"row{i % 50:D4}|")));
        return text[..length];
    }

    private static byte[] Random(int length, int seed)
    {
        byte[] value = new byte[length];
        new Random(seed).NextBytes(value);
        return value;
    }

    private static CacheEngine NewEngine(int threshold = 4096) =>
        new(new EngineOptions { MemoryLimit = 32L << 20, CompressionThreshold = threshold });

    [Fact]
    public void A_compressible_value_over_the_threshold_is_stored_compressed_and_reads_back_equal()
    {
        using CacheEngine engine = NewEngine();
        byte[] value = Compressible(50_000);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), value, default, out _));
        var sink = new RawSink();
        Assert.Equal(CacheStatus.Ok, engine.Get(Bytes("k"), ref sink));
        Assert.True(sink.Compressed);
        Assert.True(sink.Stored!.Length < value.Length / 4);
        Assert.Equal(value.Length, sink.ValueLength);
        Assert.Equal(value, sink.Plain);
        Assert.Equal(value.Length, BinaryPrimitives.ReadInt32LittleEndian(sink.Stored));
    }

    [Fact]
    public void A_value_under_the_threshold_is_stored_plain()
    {
        using CacheEngine engine = NewEngine();
        byte[] value = Compressible(4095);
        engine.Set(Bytes("k"), value, default, out _);
        var sink = new RawSink();
        engine.Get(Bytes("k"), ref sink);
        Assert.False(sink.Compressed);
        Assert.Equal(value, sink.Stored);
        byte[] at = Compressible(4096);
        engine.Set(Bytes("k"), at, default, out _);
        engine.Get(Bytes("k"), ref sink);
        Assert.True(sink.Compressed);
        Assert.Equal(at, sink.Plain);
    }

    [Fact]
    public void An_incompressible_value_is_stored_plain()
    {
        using CacheEngine engine = NewEngine();
        byte[] value = Random(100_000, 4);
        engine.Set(Bytes("k"), value, default, out _);
        var sink = new RawSink();
        engine.Get(Bytes("k"), ref sink);
        Assert.False(sink.Compressed);
        Assert.Equal(value, sink.Stored);
        Assert.Equal(value, sink.Plain);
    }

    [Fact]
    public void Compression_off_stores_everything_plain()
    {
        using CacheEngine engine = NewEngine(threshold: 0);
        byte[] value = Compressible(200_000);
        engine.Set(Bytes("k"), value, default, out _);
        var sink = new RawSink();
        engine.Get(Bytes("k"), ref sink);
        Assert.False(sink.Compressed);
        Assert.Equal(value, sink.Stored);
    }

    [Fact]
    public void A_value_larger_than_a_page_is_stored_if_it_compresses_into_one()
    {
        using CacheEngine engine = NewEngine();
        byte[] value = Compressible(3 * EngineLimits.PageSize);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), value, default, out _));
        var sink = new RawSink();
        engine.Get(Bytes("k"), ref sink);
        Assert.True(sink.Compressed);
        Assert.Equal(value, sink.Plain);
    }

    [Fact]
    public void A_stored_value_round_trips_compressed_into_another_engine()
    {
        using CacheEngine source = NewEngine();
        using CacheEngine replica = NewEngine(threshold: 0); // takes compressed input even with compression off
        var values = new Dictionary<string, byte[]>
        {
            ["text"] = Compressible(70_000),
            ["random"] = Random(9000, 2),
            ["small"] = Bytes("tiny"),
        };
        foreach ((string key, byte[] value) in values)
        {
            source.Set(Bytes(key), value, new WriteOptions { Flags = 77 }, out _);
        }
        foreach ((string key, byte[] value) in values)
        {
            var sink = new RawSink();
            Assert.Equal(CacheStatus.Ok, source.Get(Bytes(key), ref sink));
            var options = new WriteOptions { ValueIsCompressed = sink.Compressed, Flags = sink.Flags };
            Assert.Equal(CacheStatus.Ok, replica.Set(Bytes(key), sink.Stored!, options, out _));
            var copy = new RawSink();
            Assert.Equal(CacheStatus.Ok, replica.Get(Bytes(key), ref copy));
            Assert.Equal(sink.Compressed, copy.Compressed);
            Assert.Equal(sink.Stored, copy.Stored);
            Assert.Equal(value, copy.Plain);
            Assert.Equal(77u, copy.Flags);
        }
        Assert.True(values.Keys.Count(k => { var s = new RawSink(); source.Get(Bytes(k), ref s); return s.Compressed; }) == 1);
    }

    [Fact]
    public void A_value_compressed_by_the_caller_is_stored_as_it_is()
    {
        using CacheEngine engine = NewEngine();
        byte[] plain = Compressible(10_000);
        byte[] compressed = Compress(plain);
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("k"), compressed, new WriteOptions { ValueIsCompressed = true }, out _));
        var sink = new RawSink();
        engine.Get(Bytes("k"), ref sink);
        Assert.True(sink.Compressed);
        Assert.Equal(compressed, sink.Stored);
        Assert.Equal(plain, sink.Plain);
        Assert.Equal(plain.Length, sink.ValueLength);
    }

    [Fact]
    public void A_compressed_value_is_not_a_number()
    {
        using CacheEngine engine = NewEngine();
        byte[] compressed = Compress(Bytes("12345"));
        Assert.Equal(CacheStatus.Ok, engine.Set(Bytes("n"), compressed, new WriteOptions { ValueIsCompressed = true }, out _));
        Assert.Equal(CacheStatus.NotANumber, engine.Increment(Bytes("n"), 1, default, false, out _, out _));
    }

    [Fact]
    public void TryCopyValueTo_refuses_a_destination_too_short()
    {
        using CacheEngine engine = NewEngine();
        engine.Set(Bytes("c"), Compressible(8000), default, out _);
        engine.Set(Bytes("p"), Bytes("plain"), default, out _);
        var sink = new ShortDestinationSink();
        engine.Get(Bytes("c"), ref sink);
        Assert.Equal(1, sink.Refused);
        engine.Get(Bytes("p"), ref sink);
        Assert.Equal(2, sink.Refused);
    }
}
