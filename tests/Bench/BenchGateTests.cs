using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EchoCache.Tests.Bench;

/// <summary>
/// The allocation half of the benchmark gate (bench/gate alloc, bench/README.md) as part of the suite, so CI runs it
/// on every change and a failure counts in scripts/test's "tests: N passed, N failed". It starts the bench executable
/// (built with the tests: the test project references it without referencing its assembly) in its own process, so
/// BenchmarkDotNet's MemoryDiagnoser counts the benchmarks' allocations and nothing of the test host's.
/// </summary>
public sealed partial class BenchGateTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10); // about 30-90 s on the 2-core machine

    [Fact]
    public void Engine_and_codec_hot_paths_allocate_no_more_than_the_committed_baseline()
    {
        string artifacts = Path.Combine(Path.GetTempPath(), "echo-bench", "gate-test", Guid.NewGuid().ToString("N"));
        (int exit, string output) = RunGate(["alloc", "--artifacts", artifacts]);
        Assert.True(exit == 0, $"bench/gate alloc failed (exit {exit}); its table and BenchmarkDotNet's log are above and in {artifacts}:\n{output}");
        Match summary = SummaryLine().Match(output);
        Assert.True(summary.Success, $"no allocation table in the gate's output:\n{output}");
        Assert.Equal("0", summary.Groups["failed"].Value);
        Assert.True(int.Parse(summary.Groups["rows"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 20,
            $"the gate checked fewer rows than the engine and codec benchmarks have:\n{output}");

        // The same run with one row's figure changed as a row allocating 24 bytes per operation would report it: the
        // gate must read that field of BenchmarkDotNet's JSON and fail on it, so a pass above cannot be a misread.
        string run = Path.Combine(artifacts, "alloc");
        string report = Directory.GetFiles(Path.Combine(run, "results"), "*ProtocolBenchmarks-report-full.json").Single();
        JsonNode json = JsonNode.Parse(File.ReadAllText(report))!;
        JsonNode respGet = json["Benchmarks"]!.AsArray().Single(b => (string?)b!["Method"] == "RespGet")!;
        respGet["Memory"]!["BytesAllocatedPerOperation"] = 24;
        File.WriteAllText(report, json.ToJsonString());
        (int brokenExit, string brokenOutput) = RunGate(["alloc", "--results", run]);
        Assert.True(brokenExit == 1, $"the gate passed a row allocating 24 B/op (exit {brokenExit}):\n{brokenOutput}");
        Assert.Contains("| ProtocolBenchmarks.RespGet | 24 | 0 | FAIL: allocates |", brokenOutput, StringComparison.Ordinal);

        Directory.Delete(artifacts, recursive: true);
    }

    [GeneratedRegex(@"allocation gate: (?<failed>\d+) of (?<rows>\d+) rows fail")]
    private static partial Regex SummaryLine();

    private static (int Exit, string Output) RunGate(string[] arguments)
    {
        string bench = BenchAssembly();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[bench, "gate", .. arguments, "--baseline", Path.Combine(RepositoryRoot(), "bench", "gate-baseline.tsv")])
        {
            start.ArgumentList.Add(argument);
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"bench/gate {string.Join(' ', arguments)} did not end within {Limit}:\n{Read(output)}");
        }
        process.WaitForExit(); // drains the redirected output
        return (process.ExitCode, Read(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    // artifacts/bin/EchoCache.Tests/<configuration>/ -> artifacts/bin/EchoCache.Bench/<configuration>/EchoCache.Bench.dll
    private static string BenchAssembly()
    {
        string tests = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string path = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(tests)!)!, "EchoCache.Bench", Path.GetFileName(tests), "EchoCache.Bench.dll");
        Assert.True(File.Exists(path), $"{path} does not exist: build the solution (scripts/test does) first.");
        return path;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static string RepositoryRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "EchoCache.Fast.sln")))
            {
                return directory;
            }
        }
        throw new InvalidOperationException("cannot find the repository (EchoCache.Fast.sln) above " + AppContext.BaseDirectory);
    }
}
