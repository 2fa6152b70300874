using System.Globalization;
using System.Text;

namespace EchoCache.Bench;

/// <summary>
/// Compares one or more runs with the baseline and prints the gate's tables (markdown, to paste into a note):
/// <list type="bullet">
/// <item>allocation: every row that is not a reference fails when it allocates more bytes per operation than its
/// baseline (0 for every hot-path row), or when it has no result or no baseline;</item>
/// <item>time: every row with a reference fails when its ratio (its median / its reference's median in the same run,
/// median over the runs) exceeds its baseline ratio by more than its margin.</item>
/// </list>
/// </summary>
public sealed class GateCheck
{
    private readonly IReadOnlyList<IReadOnlyList<GateMeasurement>> _allocRuns;
    private readonly IReadOnlyList<IReadOnlyList<GateMeasurement>> _runs;
    private readonly GateBaseline _baseline;
    private readonly GateOptions _options;
    private readonly SortedDictionary<string, GateMeasurement> _allocRows = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, GateMeasurement> _rows = new(StringComparer.Ordinal);

    /// <summary>Collects the rows of the allocation run(s) and of the timing runs.</summary>
    public GateCheck(
        IReadOnlyList<IReadOnlyList<GateMeasurement>> allocRuns, IReadOnlyList<IReadOnlyList<GateMeasurement>> timeRuns,
        GateBaseline baseline, GateOptions options)
    {
        _allocRuns = allocRuns;
        _runs = timeRuns;
        _baseline = baseline;
        _options = options;
        Collect(allocRuns, _allocRows, options);
        Collect(timeRuns, _rows, options);
    }

    /// <summary>Rows in the runs without a result (a benchmark that threw), by name.</summary>
    public IEnumerable<string> RowsWithoutResult =>
        WithoutResult(_allocRuns, _allocRows).Union(WithoutResult(_runs, _rows));

    private static IEnumerable<string> WithoutResult(
        IReadOnlyList<IReadOnlyList<GateMeasurement>> runs, SortedDictionary<string, GateMeasurement> rows) =>
        rows.Keys.Where(row => runs.Any(run => run.FirstOrDefault(m => m.Row == row) is not { } m
            || double.IsNaN(m.MedianNanoseconds) || m.AllocatedBytesPerOperation < 0));

    private static void Collect(
        IReadOnlyList<IReadOnlyList<GateMeasurement>> runs, SortedDictionary<string, GateMeasurement> rows, GateOptions options)
    {
        foreach (GateMeasurement m in runs.SelectMany(r => r))
        {
            if (GateRoles.IsKnown(m.Type, m.Method) && options.Selects(m.Row))
            {
                rows.TryAdd(m.Row, m);
            }
        }
    }

    /// <summary>The allocation table; returns how many rows fail.</summary>
    public int CheckAllocations(TextWriter output)
    {
        var table = new StringBuilder();
        table.AppendLine("| benchmark | allocated B/op | baseline B/op | verdict |");
        table.AppendLine("| --- | ---: | ---: | --- |");
        int failures = 0;
        foreach (string row in AllocationRows())
        {
            long? allocated = Allocated(row);
            long? expected = _baseline.Find(row)?.Allocated;
            string verdict = allocated is null ? "FAIL: no result"
                : expected is null ? "FAIL: not in the baseline (bench/gate alloc --update)"
                : allocated > expected ? "FAIL: allocates" : "ok";
            failures += verdict == "ok" ? 0 : 1;
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {row} | {Show(allocated)} | {Show(expected)} | {verdict} |");
        }
        if (!AllocationRows().Any())
        {
            output.WriteLine("allocation gate: no rows measured and none in the baseline: nothing was checked");
            return 1;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"allocation gate: {failures} of {AllocationRows().Count()} rows fail (bytes allocated per operation, every thread)"));
        output.Write(table);
        return failures;
    }

    /// <summary>The timing table; returns how many rows fail.</summary>
    public int CheckTimes(TextWriter output)
    {
        var table = new StringBuilder();
        table.AppendLine("| benchmark | ns/op | reference ns/op | ratio | per-run ratios | baseline ratio | change | margin | verdict |");
        table.AppendLine("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |");
        int failures = 0, gated = 0;
        foreach (string row in TimeRows())
        {
            GateMeasurement? m = _rows.GetValueOrDefault(row);
            string? reference = m is null ? _baseline.Find(row)?.Reference : ReferenceRow(m);
            double median = MedianOverRuns(row);
            if (reference is null)
            {
                string role = m is not null && GateRoles.IsReference(m.Type, m.Method) ? "reference" : "no reference: not gated";
                table.AppendLine(CultureInfo.InvariantCulture, $"| {row} | {Ns(median)} | | | | | | | {role} |");
                continue;
            }
            gated++;
            double[] ratios = RatiosOverRuns(row, reference);
            double ratio = ratios.Length == _runs.Count ? Median(ratios) : double.NaN;
            double? expected = _baseline.Find(row)?.Ratio;
            double margin = _options.MarginOf(row);
            double change = expected is double e ? ratio / e - 1 : double.NaN;
            string verdict = double.IsNaN(ratio) ? "FAIL: no result"
                : expected is null ? "FAIL: not in the baseline (bench/gate time --update)"
                : change > margin ? "FAIL: slower"
                : change < -margin ? "ok (faster: consider --update)" : "ok";
            failures += verdict.StartsWith("FAIL", StringComparison.Ordinal) ? 1 : 0;
            string each = string.Join(" ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)));
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {row} | {Ns(median)} | {Ns(MedianOverRuns(reference))} | {Fixed(ratio)} | {each} | {Fixed(expected)} | {Percent(change)} | {margin * 100:0}% | {verdict} |");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timing gate: {failures} of {gated} rows fail (ratio = row median / reference median in the same run; {_runs.Count} run(s))"));
        output.Write(table);
        return failures;
    }

    /// <summary>Writes this run's allocations into the baseline (the rows the allocation half runs).</summary>
    public void UpdateAllocations()
    {
        foreach (string row in AllocationRows().ToList())
        {
            if (_allocRows.TryGetValue(row, out GateMeasurement? m))
            {
                GateBaselineRow old = _baseline.Find(row) ?? new GateBaselineRow(row, null, null, null);
                _baseline.Set(old with { Reference = ReferenceRow(m), Allocated = Allocated(row) });
            }
            else
            {
                _baseline.Remove(row); // in the baseline, no longer a benchmark
            }
        }
    }

    /// <summary>Writes this run's ratios into the baseline.</summary>
    public void UpdateTimes()
    {
        foreach (string row in TimeRows().ToList())
        {
            if (!_rows.TryGetValue(row, out GateMeasurement? m))
            {
                _baseline.Remove(row);
                continue;
            }
            string? reference = ReferenceRow(m);
            double? ratio = reference is null ? null : Math.Round(Median(RatiosOverRuns(row, reference)), 3);
            GateBaselineRow old = _baseline.Find(row) ?? new GateBaselineRow(row, null, null, null);
            _baseline.Set(old with { Reference = reference, Ratio = ratio });
        }
    }

    // Rows the allocation half checks: every measured row but the reference rows, and every such row the baseline names.
    private IEnumerable<string> AllocationRows() =>
        _allocRows.Values.Where(m => !GateRoles.IsReference(m.Type, m.Method)).Select(m => m.Row)
            .Union(_baseline.Rows.Where(b => !IsReferenceRow(b.Row) && _options.Selects(b.Row)).Select(b => b.Row))
            .Order(StringComparer.Ordinal);

    // Rows the timing half shows: every measured row and every row the baseline names.
    private IEnumerable<string> TimeRows() =>
        _rows.Keys.Union(_baseline.Rows.Where(b => _options.Selects(b.Row)).Select(b => b.Row)).Order(StringComparer.Ordinal);

    private static bool IsReferenceRow(string row)
    {
        int dot = row.IndexOf('.', StringComparison.Ordinal);
        int bracket = row.IndexOf('[', StringComparison.Ordinal);
        string type = row[..dot];
        string method = bracket < 0 ? row[(dot + 1)..] : row[(dot + 1)..bracket];
        return GateRoles.IsReference(type, method);
    }

    private static string? ReferenceRow(GateMeasurement m) =>
        GateRoles.ReferenceOf(m.Type, m.Method) is string method ? GateMeasurement.RowName(m.Type, method, m.Parameters) : null;

    // The most any allocation run allocated; null when some run has no figure for the row.
    private long? Allocated(string row)
    {
        long most = -1;
        foreach (IReadOnlyList<GateMeasurement> run in _allocRuns)
        {
            GateMeasurement? m = run.FirstOrDefault(x => x.Row == row);
            if (m is null || m.AllocatedBytesPerOperation < 0)
            {
                return null;
            }
            most = Math.Max(most, m.AllocatedBytesPerOperation);
        }
        return most < 0 ? null : most;
    }

    private double MedianOverRuns(string row)
    {
        double[] medians = [.. _runs.Select(run => run.FirstOrDefault(m => m.Row == row)?.MedianNanoseconds ?? double.NaN)];
        return medians.Any(double.IsNaN) ? double.NaN : Median(medians);
    }

    private double[] RatiosOverRuns(string row, string reference) =>
        [.. _runs.Select(run => (run.FirstOrDefault(m => m.Row == row)?.MedianNanoseconds ?? double.NaN)
                / (run.FirstOrDefault(m => m.Row == reference)?.MedianNanoseconds ?? double.NaN))
            .Where(r => !double.IsNaN(r))];

    private static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Show(long? bytes) => bytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    private static string Ns(double ns) =>
        double.IsNaN(ns) ? "-" : ns.ToString(ns < 100 ? "0.00" : ns < 1000 ? "0.0" : "N0", CultureInfo.InvariantCulture);

    private static string Fixed(double? value) =>
        value is double v && !double.IsNaN(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static string Percent(double change) =>
        double.IsNaN(change) ? "-" : change.ToString("+0%;-0%;0%", CultureInfo.InvariantCulture);
}
