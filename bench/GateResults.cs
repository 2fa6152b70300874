using System.Text.Json;

namespace EchoCache.Bench;

/// <summary>
/// Reads the rows of one run from the <c>*-report-full.json</c> files BenchmarkDotNet's JSON exporter writes into
/// <c>DIR/results</c>: the structured output, not the console table, so a column added or reformatted by
/// BenchmarkDotNet cannot change what the gate reads.
/// </summary>
public static class GateResults
{
    /// <summary>The rows of the run whose artifacts are in <paramref name="artifacts"/>; throws when there are none.</summary>
    public static IReadOnlyList<GateMeasurement> Read(string artifacts)
    {
        string results = Path.Combine(artifacts, "results");
        string[] files = Directory.Exists(results) ? Directory.GetFiles(results, "*-report-full.json") : [];
        if (files.Length == 0)
        {
            throw new InvalidDataException($"no BenchmarkDotNet JSON report (*-report-full.json) in {results}");
        }
        var rows = new List<GateMeasurement>();
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (JsonElement benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                rows.Add(ReadRow(benchmark, file));
            }
        }
        return rows;
    }

    private static GateMeasurement ReadRow(JsonElement benchmark, string file)
    {
        string type = benchmark.GetProperty("Type").GetString() ?? "";
        string method = benchmark.GetProperty("Method").GetString() ?? "";
        // "ValueSize=32&Threads=1" in the JSON; the gate shows "ValueSize=32, Threads=1".
        string parameters = (benchmark.GetProperty("Parameters").GetString() ?? "").Replace("&", ", ", StringComparison.Ordinal);
        string row = GateMeasurement.RowName(type, method, parameters);
        // A benchmark that threw has no statistics and no memory figures: NaN and -1 make the gate report "no result".
        double median = double.NaN;
        if (benchmark.TryGetProperty("Statistics", out JsonElement statistics) && statistics.ValueKind == JsonValueKind.Object)
        {
            median = statistics.GetProperty("Median").GetDouble();
        }
        long allocated = -1;
        if (benchmark.TryGetProperty("Memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object
            && memory.TryGetProperty("BytesAllocatedPerOperation", out JsonElement bytes) && bytes.ValueKind == JsonValueKind.Number)
        {
            allocated = bytes.GetInt64();
        }
        if (type.Length == 0 || method.Length == 0)
        {
            throw new InvalidDataException($"{file}: a benchmark without Type or Method");
        }
        return new GateMeasurement(row, type, method, parameters, median, allocated);
    }
}
