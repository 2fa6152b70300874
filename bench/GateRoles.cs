using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace EchoCache.Bench;

/// <summary>
/// Which rows the gate runs and which row each is measured against, read from the benchmark attributes themselves
/// (BenchmarkDotNet's JSON does not carry them): a <c>[Benchmark(Baseline = true)]</c> method is the reference of
/// the other methods in its category (CacheBenchmarks: the ConcurrentDictionary rows), or of its whole class when the
/// class has no categories (ProtocolBenchmarks: <see cref="ProtocolBenchmarks.Reference"/>). A row is paired with
/// its reference's row of the same parameters.
/// </summary>
public static class GateRoles
{
    /// <summary>The benchmark classes the gate runs: the engine's and the codecs'.</summary>
    public static IReadOnlyList<Type> Classes { get; } = [typeof(CacheBenchmarks), typeof(ProtocolBenchmarks)];

    // (class name, method) -> its reference method, or null for a reference row or a row whose category has none.
    private static readonly Dictionary<(string Type, string Method), string?> References = Build();
    private static readonly HashSet<(string Type, string Method)> ReferenceRows = BuildReferenceRows();

    /// <summary>Whether <paramref name="type"/>.<paramref name="method"/> is one of the gate's benchmarks.</summary>
    public static bool IsKnown(string type, string method) => References.ContainsKey((type, method));

    /// <summary>Whether the row is a reference (baseline) row: measured, never gated.</summary>
    public static bool IsReference(string type, string method) => ReferenceRows.Contains((type, method));

    /// <summary>The reference method of a row, or null when it has none (a reference itself, or the harness row).</summary>
    public static string? ReferenceOf(string type, string method) => References.GetValueOrDefault((type, method));

    private static IEnumerable<(Type Class, MethodInfo Method, BenchmarkAttribute Benchmark, string Category)> Benchmarks() =>
        from type in Classes
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
        let benchmark = method.GetCustomAttribute<BenchmarkAttribute>()
        where benchmark is not null
        let categories = method.GetCustomAttributes<BenchmarkCategoryAttribute>().SelectMany(c => c.Categories)
        select (type, method, benchmark, string.Join(",", categories.Order(StringComparer.Ordinal)));

    private static Dictionary<(string, string), string?> Build()
    {
        var all = Benchmarks().ToList();
        var baselines = all.Where(b => b.Benchmark.Baseline).ToDictionary(b => (b.Class.Name, b.Category), b => b.Method.Name);
        var references = new Dictionary<(string, string), string?>();
        foreach (var b in all)
        {
            string? reference = b.Benchmark.Baseline ? null : baselines.GetValueOrDefault((b.Class.Name, b.Category));
            references[(b.Class.Name, b.Method.Name)] = reference;
        }
        return references;
    }

    private static HashSet<(string, string)> BuildReferenceRows() =>
        [.. Benchmarks().Where(b => b.Benchmark.Baseline).Select(b => (b.Class.Name, b.Method.Name))];
}
