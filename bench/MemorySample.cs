using System.Globalization;

namespace EchoCache.Bench;

/// <summary>One store's memory, measured in its own process, as one line a parent process can parse.</summary>
public sealed class MemorySample
{
    private const string Prefix = "SAMPLE ";

    /// <summary>"engine" or "dictionary".</summary>
    public required string Store { get; init; }

    /// <summary>Items loaded.</summary>
    public required long Items { get; init; }

    /// <summary>Process RSS growth over the load, after a full GC.</summary>
    public required long RssDelta { get; init; }

    /// <summary>GC heap growth over the load, after a full GC.</summary>
    public required long GcHeapDelta { get; init; }

    /// <summary>Engine: <see cref="Engine.EngineStats.NativeBytes"/> (pages × 1 MiB + tables); 0 for the dictionary.</summary>
    public long NativeBytes { get; init; }

    /// <summary>Engine: bytes of slab chunks ever carved plus tables (what can be resident); 0 for the dictionary.</summary>
    public long CarvedPlusTables { get; init; }

    /// <summary>Engine: bytes of slab chunks ever carved.</summary>
    public long Carved { get; init; }

    /// <summary>Engine: bytes of hash tables (main and overflow buckets).</summary>
    public long TableBytes { get; init; }

    /// <summary>Engine: slab pages rented.</summary>
    public long Pages { get; init; }

    /// <summary>Engine: shards.</summary>
    public int Shards { get; init; }

    /// <summary>Engine: buckets and overflow buckets.</summary>
    public long Buckets { get; init; }

    /// <summary>Engine: overflow buckets.</summary>
    public long OverflowBuckets { get; init; }

    /// <summary>The line a child prints.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}{Store} {Items} {RssDelta} {GcHeapDelta} {NativeBytes} {CarvedPlusTables} {Carved} {TableBytes} {Pages} {Shards} {Buckets} {OverflowBuckets}");

    /// <summary>Parses a child's line; null if <paramref name="line"/> is not one.</summary>
    public static MemorySample? TryParse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        string[] f = line[Prefix.Length..].Split(' ');
        long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        return new MemorySample
        {
            Store = f[0],
            Items = L(1),
            RssDelta = L(2),
            GcHeapDelta = L(3),
            NativeBytes = L(4),
            CarvedPlusTables = L(5),
            Carved = L(6),
            TableBytes = L(7),
            Pages = L(8),
            Shards = (int)L(9),
            Buckets = L(10),
            OverflowBuckets = L(11),
        };
    }
}
