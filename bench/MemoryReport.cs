using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EchoCache.Engine;

namespace EchoCache.Bench;

/// <summary>
/// Bytes per item of the engine and of the <see cref="ConcurrentDictionary{TKey, TValue}"/> baseline, each store
/// loaded in a fresh process of its own (so neither pollutes the other's RSS), repeated and reported as medians.
/// <code>
/// memory [--items N] [--value BYTES] [--repeat R] [--shards S]   parent: runs the children, prints the table
/// memory engine|dictionary [same options] [--smaps] [--trim]     child: loads one store, prints one SAMPLE line
/// (--smaps: also lists the mappings whose resident size grew, to see where the RSS delta went;
///  --trim: engine only, then calls glibc's malloc_trim(0) and prints the RSS delta again)
/// </code>
/// </summary>
public static class MemoryReport
{
    private const int WarmupItems = 20_000;

    /// <summary>Runs the parent or a child, by the first argument.</summary>
    public static int Run(string[] args)
    {
        long items = 1_000_000;
        int valueSize = 32;
        int repeat = 3;
        int shards = 0;
        bool smaps = false;
        bool trim = false;
        string? store = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--items": items = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--value": valueSize = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shards": shards = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--smaps": smaps = true; break;
                case "--trim": trim = true; break;
                case "engine" or "dictionary": store = args[i]; break;
                default:
                    Console.Error.WriteLine($"memory: unknown argument '{args[i]}'");
                    return 2;
            }
        }
        if (store is not null)
        {
            MemorySample sample = store == "engine" ? MeasureEngine(items, valueSize, shards, smaps, trim) : MeasureDictionary(items, valueSize, smaps);
            Console.WriteLine(sample.ToLine());
            return 0;
        }
        return RunChildren(items, valueSize, repeat, shards);
    }

    private static int RunChildren(long items, int valueSize, int repeat, int shards)
    {
        var samples = new List<MemorySample>();
        for (int r = 0; r < repeat; r++)
        {
            // Interleaved: engine, dictionary, engine, dictionary, ...
            foreach (string store in new[] { "engine", "dictionary" })
            {
                MemorySample? sample = RunChild(store, items, valueSize, shards);
                if (sample is null)
                {
                    return 1;
                }
                Console.WriteLine($"run {r + 1}/{repeat} {store}: RSS delta {Per(sample.RssDelta, items)} B/item");
                samples.Add(sample);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"{items:N0} items, {KeyStreams.KeySize}-byte keys, {valueSize}-byte values; median of {repeat} fresh processes per store");
        Console.WriteLine();
        Console.WriteLine("| store | RSS delta B/item | GC heap delta B/item | native (pages x 1 MiB + tables) B/item | carved chunks + tables B/item | detail |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (string store in new[] { "engine", "dictionary" })
        {
            List<MemorySample> mine = samples.Where(s => s.Store == store).ToList();
            MemorySample last = mine[^1];
            string native = store == "engine" ? Per(Median(mine, s => s.NativeBytes), items) : "-";
            string carved = store == "engine" ? Per(Median(mine, s => s.CarvedPlusTables), items) : "-";
            string detail = store == "engine"
                ? $"{last.Shards} shards, {last.Pages} pages, carved {Per(last.Carved, items)} + tables {Per(last.TableBytes, items)} B/item, {last.Buckets:N0} buckets ({last.OverflowBuckets:N0} overflow)"
                : "ConcurrentDictionary<byte[], byte[]>, default capacity";
            Console.WriteLine($"| {store} | {Per(Median(mine, s => s.RssDelta), items)} | {Per(Median(mine, s => s.GcHeapDelta), items)} | {native} | {carved} | {detail} |");
        }
        return 0;
    }

    private static MemorySample? RunChild(string store, long items, int valueSize, int shards)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryReport).Assembly.Location);
        }
        foreach (string arg in new[] { "memory", store, "--items", items.ToString(CultureInfo.InvariantCulture),
                     "--value", valueSize.ToString(CultureInfo.InvariantCulture), "--shards", shards.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start a child.");
        Task<string> output = child.StandardOutput.ReadToEndAsync();
        if (!child.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            child.Kill(entireProcessTree: true);
            Console.Error.WriteLine($"memory: the {store} child did not finish in 3 minutes");
            return null;
        }
        MemorySample? sample = output.Result.Split('\n').Select(MemorySample.TryParse).FirstOrDefault(s => s is not null);
        if (child.ExitCode != 0 || sample is null)
        {
            Console.Error.WriteLine($"memory: the {store} child failed (exit {child.ExitCode}):\n{output.Result}");
            return null;
        }
        return sample;
    }

    private static MemorySample MeasureEngine(long items, int valueSize, int shards, bool smaps, bool trim)
    {
        byte[] value = KeyStreams.Value(valueSize);
        // Same code path on a small engine first, so JIT, type loading and the runtime's own first-use
        // allocations happen before the baseline reading.
        using (CacheEngine warm = new(new EngineOptions { Shards = shards }))
        {
            Load(warm, WarmupItems, value);
        }
        long gc0 = ProcessMemory.FullCollect();
        long rss0 = ProcessMemory.ResidentBytes();
        SmapsSnapshot? map0 = smaps ? SmapsSnapshot.Take() : null;

        var engine = new CacheEngine(new EngineOptions { Shards = shards });
        Load(engine, items, value);

        long gc1 = ProcessMemory.FullCollect();
        long rss1 = ProcessMemory.ResidentBytes();
        if (map0 is not null)
        {
            SmapsSnapshot.Take().PrintGrowthSince(map0, Console.Out);
        }
        if (trim)
        {
            bool released = GlibcMalloc.Trim();
            long rss2 = ProcessMemory.ResidentBytes();
            Console.WriteLine($"malloc_trim(0) {(released ? "released memory" : "released nothing")}: RSS delta {Per(rss1 - rss0, items)} -> {Per(rss2 - rss0, items)} B/item");
        }
        Verify(engine, items, valueSize);
        EngineStats stats = engine.GetStats();
        long carved = engine.GetStats().CarvedBytes;
        var sample = new MemorySample
        {
            Store = "engine",
            Items = items,
            RssDelta = rss1 - rss0,
            GcHeapDelta = gc1 - gc0,
            NativeBytes = stats.NativeBytes,
            CarvedPlusTables = carved + stats.TableBytes,
            Carved = carved,
            TableBytes = stats.TableBytes,
            Pages = stats.Pages,
            Shards = engine.ShardCount,
            Buckets = stats.Buckets,
            OverflowBuckets = stats.OverflowBuckets,
        };
        engine.Dispose();
        return sample;
    }

    private static void Load(CacheEngine engine, long items, byte[] value)
    {
        Span<byte> key = stackalloc byte[KeyStreams.KeySize];
        for (long i = 0; i < items; i++)
        {
            KeyStreams.Write(i, key);
            if (engine.Set(key, value, WriteOptions.Default, out _) != CacheStatus.Ok)
            {
                throw new InvalidOperationException($"Set failed at item {i}.");
            }
        }
    }

    private static void Verify(CacheEngine engine, long items, int valueSize)
    {
        if (engine.Count != items)
        {
            throw new InvalidOperationException($"The engine holds {engine.Count} items, not {items} (evicted?).");
        }
        Span<byte> key = stackalloc byte[KeyStreams.KeySize];
        var sink = new CopySink(new byte[valueSize]);
        for (long i = 0; i < items; i += 9973)
        {
            KeyStreams.Write(i, key);
            if (engine.Get(key, ref sink) != CacheStatus.Ok || sink.Length != valueSize)
            {
                throw new InvalidOperationException($"Item {i} is missing.");
            }
        }
    }

    private static MemorySample MeasureDictionary(long items, int valueSize, bool smaps)
    {
        byte[] value = KeyStreams.Value(valueSize);
        var warm = new ConcurrentDictionary<byte[], byte[]>(ByteContentComparer.Instance);
        Load(warm, WarmupItems, value);
        warm.Clear();
        long gc0 = ProcessMemory.FullCollect();
        long rss0 = ProcessMemory.ResidentBytes();
        SmapsSnapshot? map0 = smaps ? SmapsSnapshot.Take() : null;

        var dictionary = new ConcurrentDictionary<byte[], byte[]>(ByteContentComparer.Instance);
        Load(dictionary, items, value);

        long gc1 = ProcessMemory.FullCollect();
        long rss1 = ProcessMemory.ResidentBytes();
        if (map0 is not null)
        {
            SmapsSnapshot.Take().PrintGrowthSince(map0, Console.Out);
        }
        if (dictionary.Count != items)
        {
            throw new InvalidOperationException($"The dictionary holds {dictionary.Count} items, not {items}.");
        }
        GC.KeepAlive(dictionary);
        return new MemorySample { Store = "dictionary", Items = items, RssDelta = rss1 - rss0, GcHeapDelta = gc1 - gc0 };
    }

    private static void Load(ConcurrentDictionary<byte[], byte[]> dictionary, long items, byte[] value)
    {
        byte[] key = new byte[KeyStreams.KeySize];
        for (long i = 0; i < items; i++)
        {
            KeyStreams.Write(i, key);
            if (!dictionary.TryAdd(key.ToArray(), value.ToArray()))
            {
                throw new InvalidOperationException($"Add failed at item {i}.");
            }
        }
    }

    private static long Median(List<MemorySample> samples, Func<MemorySample, long> field)
    {
        long[] sorted = samples.Select(field).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Per(long bytes, long items) => ((double)bytes / items).ToString("F1", CultureInfo.InvariantCulture);
}
