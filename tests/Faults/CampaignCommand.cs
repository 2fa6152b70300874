using System.Globalization;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Faults;

/// <summary>
/// <c>echo-faults run [options]</c> runs a campaign; <c>echo-faults check &lt;folder or history.tsv&gt;</c> checks a saved
/// history again. Exit codes: 0 passed, 1 the campaign found a violation (or the history is not linearizable), 2 a bad
/// command line, 3 the campaign could not run.
/// </summary>
internal static class CampaignCommand
{
    public const string Usage = """
        usage: echo-faults run [options]
                 --workers <n>        workers behind the orchestrator, 2 to 4 (default 2)
                 --seconds <n>        how long faults are injected (default 60)
                 --clients <n>        concurrent clients, alternating RESP and binary (default 6)
                 --faults <a,b,…>     fault kinds, in turn (default: all): kill-worker, pause-worker, partition-worker,
                                      partition-worker-in, partition-worker-out, partition-clients, partition-clients-in,
                                      kill-orchestrator, pause-orchestrator, restart-behind-partition
                 --preload <n>        write-once keys written before the faults (default 50000)
                 --seed <n>           fault order, targets and client choices (default 1)
                 --bin <dir>          the Native AOT hosts (default: $ECHO_CACHE_BIN, else artifacts/aot)
                 --out <dir>          where the run writes (default artifacts/faults/<time>)
                 --lab <n>            lab network number, 0 to 250 (default 1)
                 --broken             start the orchestrator with reads from syncing copies allowed (test only):
                                      the campaign must fail
               echo-faults check <folder or history.tsv>
        """;

    public static int Execute(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        CampaignOptions options;
        try
        {
            if (args[0] == "check" && args.Length == 2)
            {
                return Check(args[1]);
            }
            options = args[0] == "run" ? Parse(args[1..]) : throw new ArgumentException($"unknown command '{string.Join(' ', args)}'");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"echo-faults: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        return Run(options);
    }

    /// <summary>Reads <c>run</c>'s options.</summary>
    public static CampaignOptions Parse(string[] args)
    {
        string root = FindRoot();
        var options = new CampaignOptions
        {
            Binaries = Environment.GetEnvironmentVariable("ECHO_CACHE_BIN") is { Length: > 0 } bin ? bin : Path.Combine(root, "artifacts", "aot"),
            Output = Path.Combine(root, "artifacts", "faults", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
        };
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--broken")
            {
                options = options with { Broken = true };
                continue;
            }
            string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--workers" => options with { Workers = Number(name, value, 2, 4) },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(Number(name, value, 1, 86_400)) },
                "--clients" => options with { Clients = Number(name, value, 1, 64) },
                "--faults" => options with { Faults = [.. value.Split(',').Select(Fault)] },
                "--preload" => options with { PreloadKeys = Number(name, value, 0, 10_000_000) },
                "--seed" => options with { Seed = Number(name, value, 0, int.MaxValue) },
                "--bin" => options with { Binaries = value },
                "--out" => options with { Output = value },
                "--lab" => options with { Lab = Number(name, value, 0, 250) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        return options;
    }

    private static int Run(CampaignOptions options)
    {
        CampaignResult result;
        try
        {
            result = new Campaign(options).Run();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            Console.Error.WriteLine($"echo-faults: the campaign could not run: {e.Message}");
            return 3;
        }
        Console.WriteLine();
        Console.WriteLine(result.Report());
        Console.WriteLine($"(everything is in {options.Output})");
        return result.Failures.Count == 0 ? 0 : 1;
    }

    private static int Check(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, "history.tsv") : path;
        History history = HistoryFile.Read(file);
        LinearizabilityResult result = LinearizabilityChecker.Check(history, Campaign.CheckOptions);
        Console.WriteLine($"{file}: {history.Operations.Count} operations on {history.Keys.Count} keys, {history.UnknownOutcomes} of unknown outcome: "
            + (result.IsLinearizable ? "linearizable" : "NOT LINEARIZABLE") + $" ({result.Elapsed.TotalSeconds:F1} s)");
        foreach (KeyCheckResult key in result.Keys.OrderByDescending(k => k.Steps).Take(5))
        {
            Console.WriteLine($"  {key.Key}: {key.Operations} operations, {key.PrunedUnknownWrites} unknown writes pruned, {key.Steps} steps, {key.Verdict}");
        }
        if (!result.IsLinearizable)
        {
            Console.WriteLine(result.Explanation);
        }
        return result.IsLinearizable ? 0 : 1;
    }

    private static FaultKind Fault(string name) =>
        FaultNames.TryParse(name.Trim(), out FaultKind kind) ? kind : throw new ArgumentException($"unknown fault '{name}'");

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n : throw new ArgumentException($"{name} takes a number from {min} to {max}, not '{value}'");

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "EchoCache.Fast.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? Directory.GetCurrentDirectory();
    }
}
