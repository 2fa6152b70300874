using System.Buffers.Binary;
using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EchoCache.Engine;

namespace EchoCache.Bench;

/// <summary>
/// The engine against a <see cref="ConcurrentDictionary{TKey, TValue}"/> of <c>byte[]</c> (the baseline of each
/// category, in the same run): get hit, get miss and set (overwrite) of 16-byte keys on a table of 1M keys,
/// in a random, pre-generated key order, on one thread and split over two. Every invocation runs
/// <see cref="Batch"/> operations, so times read per operation.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class CacheBenchmarks
{
    /// <summary>Keys in the table.</summary>
    public const int Keys = 1_000_000;

    /// <summary>Operations per invocation (split evenly over the threads).</summary>
    public const int Batch = 1 << 16;

    /// <summary>Keys per request stream: a power of two, so a batch never straddles its end.</summary>
    public const int StreamKeys = 1 << 20;

    private const int KeySize = KeyStreams.KeySize;
    private const int SumStride = 16; // one cache line of longs per thread, so the threads' sums never share one

    private static readonly WriteOptions Plain = WriteOptions.Default;

    private readonly long[] _sums = new long[2 * SumStride];
    private readonly byte[][] _buffers = [new byte[4096], new byte[4096]];

    private byte[] _hits = [];
    private byte[] _misses = [];
    private byte[] _value = [];
    private int _cursor;
    private int _stream;
    private TwoThreadRunner? _runner;
    private CacheEngine? _engine;
    private ConcurrentDictionary<byte[], byte[]>? _dictionary;
    private ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    private Action<int> _harness = null!;
    private Action<int> _engineGetHit = null!;
    private Action<int> _engineGetMiss = null!;
    private Action<int> _engineSet = null!;
    private Action<int> _dictionaryGetHit = null!;
    private Action<int> _dictionaryGetMiss = null!;
    private Action<int> _dictionarySet = null!;

    /// <summary>Bytes per value.</summary>
    [Params(32, 1024)]
    public int ValueSize { get; set; }

    /// <summary>Threads the batch is split over.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Streams, value and (for two threads) the worker: everything but a store.</summary>
    [GlobalSetup(Target = nameof(Harness))]
    public void SetupCommon()
    {
        _hits = KeyStreams.Random(StreamKeys, 0, Keys, seed: 1);
        _misses = KeyStreams.Random(StreamKeys, Keys, Keys, seed: 2);
        _value = KeyStreams.Value(ValueSize);
        _cursor = 0;
        _runner = Threads == 2 ? new TwoThreadRunner() : null;
        _harness = HarnessPart;
        _engineGetHit = EngineGetHitPart;
        _engineGetMiss = EngineGetMissPart;
        _engineSet = EngineSetPart;
        _dictionaryGetHit = DictionaryGetHitPart;
        _dictionaryGetMiss = DictionaryGetMissPart;
        _dictionarySet = DictionarySetPart;
    }

    /// <summary>The engine, loaded with every key.</summary>
    [GlobalSetup(Targets = [nameof(Engine_GetHit), nameof(Engine_GetMiss), nameof(Engine_Set)])]
    public void SetupEngine()
    {
        SetupCommon();
        // Room for 1M items of the larger size (1,076-byte chunks), else the default 1 GiB. 16 shards either way.
        _engine = new CacheEngine(new EngineOptions { MemoryLimit = ValueSize > 512 ? 2L << 30 : 1L << 30 });
        Span<byte> key = stackalloc byte[KeySize];
        for (int i = 0; i < Keys; i++)
        {
            KeyStreams.Write(i, key);
            Check(_engine.Set(key, _value, Plain, out _) == CacheStatus.Ok, "engine fill");
        }
        Check(_engine.Count == Keys, "engine count");
    }

    /// <summary>The baseline, loaded with every key.</summary>
    [GlobalSetup(Targets = [nameof(Dictionary_GetHit), nameof(Dictionary_GetMiss), nameof(Dictionary_Set)])]
    public void SetupDictionary()
    {
        SetupCommon();
        _dictionary = new ConcurrentDictionary<byte[], byte[]>(ByteContentComparer.Instance);
        _lookup = _dictionary.GetAlternateLookup<ReadOnlySpan<byte>>();
        byte[] key = new byte[KeySize];
        for (int i = 0; i < Keys; i++)
        {
            KeyStreams.Write(i, key);
            _lookup[key] = _value.ToArray();
        }
        Check(_dictionary.Count == Keys, "dictionary count");
    }

    /// <summary>Frees the stores and stops the worker.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _runner?.Dispose();
        _runner = null;
        _engine?.Dispose();
        _engine = null;
        _dictionary = null;
        _lookup = default;
        _hits = [];
        _misses = [];
        GC.Collect();
    }

    /// <summary>The harness alone: walks the key stream and folds each key into a sum. Its time is overhead in every other row.</summary>
    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("Harness")]
    public long Harness() => Run(_harness, _hits);

    /// <summary>Baseline get of a present key: TryGetValue by span, copy the value out.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("GetHit")]
    public long Dictionary_GetHit() => Run(_dictionaryGetHit, _hits);

    /// <summary>Engine get of a present key: the value copied out by a struct sink.</summary>
    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("GetHit")]
    public long Engine_GetHit() => Run(_engineGetHit, _hits);

    /// <summary>Baseline get of an absent key.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("GetMiss")]
    public long Dictionary_GetMiss() => Run(_dictionaryGetMiss, _misses);

    /// <summary>Engine get of an absent key.</summary>
    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("GetMiss")]
    public long Engine_GetMiss() => Run(_engineGetMiss, _misses);

    /// <summary>Baseline overwrite of a present key: the value copied into a new array, as a cache must.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("Set")]
    public long Dictionary_Set() => Run(_dictionarySet, _hits);

    /// <summary>Engine overwrite of a present key.</summary>
    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("Set")]
    public long Engine_Set() => Run(_engineSet, _hits);

    private long Run(Action<int> part, byte[] stream)
    {
        _stream = ReferenceEquals(stream, _hits) ? 0 : 1;
        if (_runner is null)
        {
            part(0);
        }
        else
        {
            _runner.Run(part);
        }
        _cursor = (_cursor + Batch) & (StreamKeys - 1);
        return _sums[0] + _sums[SumStride];
    }

    /// <summary>This thread's share of the current batch of the current stream.</summary>
    private ReadOnlySpan<byte> Slice(int part)
    {
        int perThread = Batch / Threads;
        byte[] stream = _stream == 0 ? _hits : _misses;
        return stream.AsSpan((_cursor + part * perThread) * KeySize, perThread * KeySize);
    }

    private void HarnessPart(int part)
    {
        ReadOnlySpan<byte> keys = Slice(part);
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            sum += BinaryPrimitives.ReadInt64LittleEndian(keys.Slice(at, KeySize));
        }
        _sums[part * SumStride] = sum;
    }

    private void EngineGetHitPart(int part)
    {
        CacheEngine engine = _engine!;
        ReadOnlySpan<byte> keys = Slice(part);
        var sink = new CopySink(_buffers[part]);
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (engine.Get(keys.Slice(at, KeySize), ref sink) == CacheStatus.Ok)
            {
                sum += sink.Length;
            }
        }
        _sums[part * SumStride] = sum;
    }

    private void EngineGetMissPart(int part)
    {
        CacheEngine engine = _engine!;
        ReadOnlySpan<byte> keys = Slice(part);
        var sink = new CopySink(_buffers[part]);
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (engine.Get(keys.Slice(at, KeySize), ref sink) == CacheStatus.Ok)
            {
                sum += sink.Length;
            }
        }
        _sums[part * SumStride] = sum;
    }

    private void EngineSetPart(int part)
    {
        CacheEngine engine = _engine!;
        ReadOnlySpan<byte> keys = Slice(part);
        ReadOnlySpan<byte> value = _value;
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (engine.Set(keys.Slice(at, KeySize), value, Plain, out _) == CacheStatus.Ok)
            {
                sum++;
            }
        }
        _sums[part * SumStride] = sum;
    }

    private void DictionaryGetHitPart(int part)
    {
        ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> lookup = _lookup;
        ReadOnlySpan<byte> keys = Slice(part);
        byte[] buffer = _buffers[part];
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (lookup.TryGetValue(keys.Slice(at, KeySize), out byte[]? value))
            {
                value.CopyTo(buffer, 0);
                sum += value.Length;
            }
        }
        _sums[part * SumStride] = sum;
    }

    private void DictionaryGetMissPart(int part)
    {
        ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> lookup = _lookup;
        ReadOnlySpan<byte> keys = Slice(part);
        byte[] buffer = _buffers[part];
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (lookup.TryGetValue(keys.Slice(at, KeySize), out byte[]? value))
            {
                value.CopyTo(buffer, 0);
                sum += value.Length;
            }
        }
        _sums[part * SumStride] = sum;
    }

    private void DictionarySetPart(int part)
    {
        ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> lookup = _lookup;
        ReadOnlySpan<byte> keys = Slice(part);
        ReadOnlySpan<byte> value = _value;
        long sum = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            lookup[keys.Slice(at, KeySize)] = value.ToArray();
            sum++;
        }
        _sums[part * SumStride] = sum;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup failed: {what}.");
        }
    }
}
