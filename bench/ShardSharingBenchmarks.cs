using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EchoCache.Engine;

namespace EchoCache.Bench;

/// <summary>
/// Diagnostic: the cost of two threads touching the same shards. Two threads run engine gets either over keys
/// of any shard (as in <see cref="CacheBenchmarks"/>), or each over keys of its own half of the shards, so no
/// shard's lock word or counters ever move between the two cores. Same table, same key distribution, same
/// number of operations; the ratio is what sharing shards costs a read.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ShardSharingBenchmarks
{
    private const int Keys = CacheBenchmarks.Keys;
    private const int Batch = CacheBenchmarks.Batch;
    private const int StreamKeys = CacheBenchmarks.StreamKeys;
    private const int KeySize = KeyStreams.KeySize;
    private const int ValueSize = 32;

    private readonly long[] _sums = new long[32];
    private readonly byte[][] _buffers = [new byte[64], new byte[64]];
    private byte[][] _streams = [];
    private byte[] _current = [];
    private int _cursor;
    private CacheEngine? _engine;
    private TwoThreadRunner? _runner;
    private Action<int> _get = null!;

    /// <summary>The engine with 1M keys, and the four request streams.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = new CacheEngine();
        byte[] value = KeyStreams.Value(ValueSize);
        Span<byte> key = stackalloc byte[KeySize];
        for (int i = 0; i < Keys; i++)
        {
            KeyStreams.Write(i, key);
            _engine.Set(key, value, WriteOptions.Default, out _);
        }
        // 0: hits, any shard; 1: hits, own shards; 2: misses, any shard; 3: misses, own shards.
        _streams = [Mixed(0, 11), Split(0, 12), Mixed(Keys, 13), Split(Keys, 14)];
        _runner = new TwoThreadRunner();
        _get = GetPart;
        _cursor = 0;
    }

    /// <summary>Frees the engine, stops the worker.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _runner?.Dispose();
        _engine?.Dispose();
        _streams = [];
    }

    /// <summary>Hits, both threads over every shard.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("GetHit2T")]
    public long AnyShard_GetHit() => Run(0);

    /// <summary>Hits, each thread over its own 8 of the 16 shards.</summary>
    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("GetHit2T")]
    public long OwnShards_GetHit() => Run(1);

    /// <summary>Misses, both threads over every shard.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("GetMiss2T")]
    public long AnyShard_GetMiss() => Run(2);

    /// <summary>Misses, each thread over its own 8 of the 16 shards.</summary>
    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("GetMiss2T")]
    public long OwnShards_GetMiss() => Run(3);

    private long Run(int stream)
    {
        _current = _streams[stream];
        _runner!.Run(_get);
        _cursor = (_cursor + Batch) & (StreamKeys - 1);
        return _sums[0] + _sums[16];
    }

    private void GetPart(int part)
    {
        CacheEngine engine = _engine!;
        ReadOnlySpan<byte> keys = _current.AsSpan((_cursor + part * (Batch / 2)) * KeySize, Batch / 2 * KeySize);
        var sink = new CopySink(_buffers[part]);
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (engine.Get(keys.Slice(at, KeySize), ref sink) == CacheStatus.Ok)
            {
                sum += sink.Length;
            }
        }
        _sums[part * 16] = sum;
    }

    private static byte[] Mixed(long first, int seed) => KeyStreams.Random(StreamKeys, first, Keys, seed);

    /// <summary>A stream whose every batch is half keys of shards 0-7 (thread 0's part), then half of shards 8-15.</summary>
    private static byte[] Split(long first, int seed)
    {
        var random = new Random(seed);
        byte[] stream = new byte[StreamKeys * KeySize];
        Span<byte> key = stackalloc byte[KeySize];
        int[] filled = new int[2];
        int half = Batch / 2;
        while (filled[0] < StreamKeys / 2 || filled[1] < StreamKeys / 2)
        {
            KeyStreams.Write(first + random.Next(Keys), key);
            int part = (int)(KeyHash.Compute(key) >> 63); // the engine's 16 shards: top 4 bits; top bit = upper half
            int n = filled[part];
            if (n == StreamKeys / 2)
            {
                continue;
            }
            // Entry n of this part goes to batch n / half, at offset part * half + n % half within it.
            int index = (n / half) * Batch + part * half + (n % half);
            key.CopyTo(stream.AsSpan(index * KeySize, KeySize));
            filled[part] = n + 1;
        }
        return stream;
    }
}
