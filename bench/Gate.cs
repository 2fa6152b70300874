using System.Diagnostics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EchoCache.Bench;

/// <summary>
/// The benchmark regression gate (<c>bench/gate</c>, documented in bench/README.md): runs the engine and codec
/// benchmarks (<see cref="GateRoles.Classes"/>) in a short job, reads BenchmarkDotNet's JSON reports, and compares
/// allocations and time ratios with the committed baseline file. Exit code 0: passed (or baseline updated);
/// 1: some row failed (the table says which); 2: the gate could not run.
/// </summary>
public static class Gate
{
    /// <summary>Runs the gate with the arguments after <c>gate</c>.</summary>
    public static int Run(string[] args)
    {
        GateOptions options;
        try
        {
            options = GateOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"gate: {e.Message}");
            Console.Error.WriteLine(GateOptions.Usage);
            return 2;
        }
        var clock = Stopwatch.StartNew();
        GateBaseline baseline;
        List<IReadOnlyList<GateMeasurement>> allocRuns = [], timeRuns = [];
        try
        {
            baseline = GateBaseline.Load(options.BaselinePath);
            if (options.Half.HasFlag(GateHalf.Alloc))
            {
                allocRuns.AddRange(options.Results.Count > 0
                    ? options.Results.Select(GateResults.Read)
                    : [RunBenchmarks(options, GateHalf.Alloc, Path.Combine(options.Artifacts, "alloc"), "alloc")]);
            }
            if (options.Half.HasFlag(GateHalf.Time))
            {
                timeRuns.AddRange(options.Results.Count > 0
                    ? options.Results.Select(GateResults.Read)
                    : Enumerable.Range(1, options.Runs).Select(r => RunBenchmarks(
                        options, GateHalf.Time, Path.Combine(options.Artifacts, $"time{r}"), $"time, run {r} of {options.Runs}")));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException)
        {
            Console.Error.WriteLine($"gate: {e.Message}");
            return 2;
        }

        var check = new GateCheck(allocRuns, timeRuns, baseline, options);
        Console.WriteLine();
        int failures = 0;
        if (options.Half.HasFlag(GateHalf.Alloc))
        {
            failures += check.CheckAllocations(Console.Out);
            Console.WriteLine();
        }
        if (options.Half.HasFlag(GateHalf.Time))
        {
            failures += check.CheckTimes(Console.Out);
            Console.WriteLine();
        }
        string took = $"{clock.Elapsed.TotalSeconds:0} s";
        if (options.Update)
        {
            string[] missing = [.. check.RowsWithoutResult];
            if (missing.Length > 0)
            {
                Console.Error.WriteLine($"gate: not updating the baseline: no result for {string.Join(", ", missing)}");
                return 2;
            }
            if (options.Half.HasFlag(GateHalf.Alloc))
            {
                check.UpdateAllocations();
            }
            if (options.Half.HasFlag(GateHalf.Time))
            {
                check.UpdateTimes();
            }
            baseline.Save(options.BaselinePath);
            Console.WriteLine($"gate {Name(options.Half)}: baseline written to {options.BaselinePath} ({took}); the tables above compare this run with the previous baseline");
            return 0;
        }
        Console.WriteLine(failures == 0
            ? $"gate {Name(options.Half)}: passed ({took})"
            : $"gate {Name(options.Half)}: FAILED, {failures} row(s) ({took}); baseline: {options.BaselinePath}");
        return failures == 0 ? 0 : 1;
    }

    private static IReadOnlyList<GateMeasurement> RunBenchmarks(GateOptions options, GateHalf half, string artifacts, string what)
    {
        Console.WriteLine($"gate: {what} (BenchmarkDotNet's log and reports in {artifacts})");
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true); // never read an older run's report
        }
        // One run per class: the allocation job's invocation count depends on the class's operations per invocation.
        Summary[] summaries = [.. GateRoles.Classes.Select(c => BenchmarkRunner.Run(c, new GateConfig(c, half, artifacts, options.Filters, Console.Out)))];
        if (summaries.Any(s => s.HasCriticalValidationErrors))
        {
            throw new InvalidOperationException(
                "BenchmarkDotNet refused to run: " + string.Join("; ", summaries.SelectMany(s => s.ValidationErrors).Select(e => e.Message)));
        }
        return GateResults.Read(artifacts);
    }

    private static string Name(GateHalf half) => half switch
    {
        GateHalf.Alloc => "alloc",
        GateHalf.Time => "time",
        _ => "alloc and time",
    };
}
