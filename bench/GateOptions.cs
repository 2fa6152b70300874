using System.Globalization;

namespace EchoCache.Bench;

/// <summary>
/// The command line of <c>bench/gate</c> (see bench/README.md):
/// <code>
/// gate [alloc|time] [--update] [--runs N] [--margin F] [--two-thread-margin F]
///      [--filter GLOB] [--baseline FILE] [--artifacts DIR] [--results DIR ...]
/// </code>
/// </summary>
public sealed class GateOptions
{
    /// <summary>
    /// How much a one-thread row's ratio may grow over its baseline before the timing gate fails (0.30 = 30%).
    /// Chosen from run-to-run noise measured on the 2-core development machine: see bench/README.md.
    /// </summary>
    public const double DefaultMargin = 0.30;

    /// <summary>The same for a two-thread row, whose second thread competes with everything else on the machine.</summary>
    public const double DefaultTwoThreadMargin = 1.00;

    /// <summary>What to check; <see cref="GateHalf.Both"/> when no half is named.</summary>
    public GateHalf Half { get; private set; } = GateHalf.Both;

    /// <summary>Rewrite the baseline file from this run instead of failing on it.</summary>
    public bool Update { get; private set; }

    /// <summary>Runs of the timing job; each row's ratio is the median of its per-run ratios. (The allocation job runs once: bytes per operation are the same in every run.)</summary>
    public int Runs { get; private set; } = DefaultRuns;

    /// <summary>
    /// Timing runs by default: a single run's ratio for a row is now and then far off (up to 2x for the get-miss
    /// rows in docs/memory.md's quiet runs); the median of three takes one such run.
    /// </summary>
    public const int DefaultRuns = 3;

    /// <summary>See <see cref="DefaultMargin"/>.</summary>
    public double Margin { get; private set; } = DefaultMargin;

    /// <summary>See <see cref="DefaultTwoThreadMargin"/>.</summary>
    public double TwoThreadMargin { get; private set; } = DefaultTwoThreadMargin;

    /// <summary>The baseline file; bench/gate-baseline.tsv of the repository by default.</summary>
    public string BaselinePath { get; private set; } = "";

    /// <summary>Where the runs' BenchmarkDotNet artifacts go (one folder per run).</summary>
    public string Artifacts { get; private set; } = "";

    /// <summary>Saved runs (each the artifacts folder of one run: <c>alloc</c>, <c>time1</c>, ...) to check instead of running the benchmarks.</summary>
    public IReadOnlyList<string> Results => _results;

    private readonly List<string> _results = [];

    /// <summary>BenchmarkDotNet globs (<c>*CacheBenchmarks.Engine_Get*</c>) limiting the rows run and checked; empty: all.</summary>
    public IReadOnlyList<string> Filters => _filters;

    private readonly List<string> _filters = [];

    /// <summary>Whether <paramref name="row"/> is one the filters let through.</summary>
    public bool Selects(string row)
    {
        if (_filters.Count == 0)
        {
            return true;
        }
        int bracket = row.IndexOf('[', StringComparison.Ordinal);
        string name = typeof(GateOptions).Namespace + "." + (bracket < 0 ? row : row[..bracket]);
        return _filters.Any(f => System.Text.RegularExpressions.Regex.IsMatch(
            name, "^" + System.Text.RegularExpressions.Regex.Escape(f).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$"));
    }

    /// <summary>The usage text.</summary>
    public const string Usage =
        "usage: bench/gate [alloc|time] [--update] [--runs N] [--margin F] [--two-thread-margin F]\n" +
        "                  [--filter GLOB] [--baseline FILE] [--artifacts DIR] [--results DIR ...]\n" +
        "  alloc   bytes allocated per operation against the baseline (short job; what CI runs)\n" +
        "  time    each row's time ratio to its in-run reference row against the baseline\n" +
        "  (none)  both, from one run of the timing job\n" +
        "  --update             rewrite the baseline file from this run\n" +
        "  --runs N             timing: run N times, compare the median ratio (default 3)\n" +
        "  --margin F           timing: allowed growth of a one-thread row's ratio (default 0.30 = 30%)\n" +
        "  --two-thread-margin F  the same for two-thread rows (default 1.00 = 100%)\n" +
        "  --filter GLOB        run and check only the rows whose Namespace.Class.Method matches (repeatable)\n" +
        "  --results DIR ...    check saved runs (artifacts folders of earlier runs) instead of running";

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> on a bad one.</summary>
    public static GateOptions Parse(string[] args)
    {
        var options = new GateOptions();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "alloc": options.Half = GateHalf.Alloc; break;
                case "time": options.Half = GateHalf.Time; break;
                case "--update": options.Update = true; break;
                case "--runs": options.Runs = Positive(args, ref i); break;
                case "--margin": options.Margin = Fraction(args, ref i); break;
                case "--two-thread-margin": options.TwoThreadMargin = Fraction(args, ref i); break;
                case "--filter": options._filters.Add(Value(args, ref i)); break;
                case "--baseline": options.BaselinePath = Value(args, ref i); break;
                case "--artifacts": options.Artifacts = Value(args, ref i); break;
                case "--results":
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        options._results.Add(args[++i]);
                    }
                    if (options._results.Count == 0)
                    {
                        throw new ArgumentException("--results needs at least one folder");
                    }
                    break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (options.BaselinePath.Length == 0)
        {
            options.BaselinePath = Path.Combine(RepositoryRoot(), "bench", "gate-baseline.tsv");
        }
        if (options.Artifacts.Length == 0)
        {
            string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            options.Artifacts = Path.Combine(Path.GetTempPath(), "echo-bench", "gate", $"{stamp}-{Environment.ProcessId}");
        }
        return options;
    }

    /// <summary>The margin of <paramref name="row"/>.</summary>
    public double MarginOf(string row) => row.Contains("Threads=2", StringComparison.Ordinal) ? TwoThreadMargin : Margin;

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");

    private static int Positive(string[] args, ref int i)
    {
        string name = args[i];
        return int.TryParse(Value(args, ref i), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{name} needs a positive whole number");
    }

    private static double Fraction(string[] args, ref int i)
    {
        string name = args[i];
        return double.TryParse(Value(args, ref i), NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f >= 0
            ? f
            : throw new ArgumentException($"{name} needs a fraction such as 0.25");
    }

    private static string RepositoryRoot()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (string? directory = start; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                if (File.Exists(Path.Combine(directory, "EchoCache.Fast.sln")))
                {
                    return directory;
                }
            }
        }
        throw new ArgumentException("cannot find the repository (EchoCache.Fast.sln) above the current folder: pass --baseline");
    }
}
