using System.Globalization;
using EchoCache.Net.Hosting;

namespace EchoCache.Load;

/// <summary>
/// <c>echo-load --port &lt;port&gt; [options]</c>: a load campaign against an Echo Cache worker or orchestrator on this
/// machine (load/README.md). Prints a progress line every second and, at the end, the report's path.
/// </summary>
internal static class Program
{
    /// <summary>The whole run is bounded: past this (plus the phases' own time) the process exits.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(180);

    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "flood")
        {
            return Flood.FloodCommand.Run(args[1..]);
        }
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"echo-load: {e.Message}");
            Console.Error.WriteLine(LoadOptions.Usage);
            return 2;
        }
        // Completions stay on the socket engine's thread(s), without a hop to the thread pool: the tool costs the machine less.
        SocketEngineSettings.UseInlineCompletions(options.Threads);
        TimeSpan bound = Slack + (options.Warmup + options.Duration) * 2;
        using var watchdog = new Timer(_ =>
        {
            Console.Error.WriteLine($"echo-load: still running after {bound.TotalSeconds:F0} s; giving up");
            Environment.Exit(3);
        }, null, bound, Timeout.InfiniteTimeSpan);

        DateTimeOffset started = DateTimeOffset.UtcNow;
        string loadBefore = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
        var workload = new Workload(options.Keys, options.ValueSize, options.GetPercent, seed: 42);
        ILoadTarget target;
        try
        {
            using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // Blocking here on purpose: with inline completions an awaited connect may resume on the socket engine's
            // thread, and the campaign's waits must never run there (they would stall every receive).
            target = options.UseEchoClient
                ? EchoClientTarget.ConnectAsync(options.EndPoint, workload, options.Connections, options.MaxInFlight * options.Connections,
                    connecting.Token).GetAwaiter().GetResult()
                : FastTarget.ConnectAsync(options.EndPoint, workload, options.Connections,
                    Math.Max(options.MaxInFlight, options.Depth), connecting.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            Console.Error.WriteLine($"echo-load: cannot connect to {options.EndPoint}: {e.Message}");
            return 1;
        }

        var phases = new List<PhaseResult>();
        string preload = "none (keys were not set first)";
        try
        {
            var runner = new CampaignRunner(options, target, Console.Out);
            try
            {
                if (options.Preload)
                {
                    preload = runner.Preload();
                }
                if (options.Closed)
                {
                    phases.Add(runner.RunClosed());
                }
                if (options.Open)
                {
                    double rate = options.Rate ?? Math.Max(1, Math.Round(phases[0].Overall.Throughput * options.RateFraction / 1000) * 1000);
                    phases.Add(runner.RunOpen(rate));
                }
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
            {
                Console.Error.WriteLine($"echo-load: {e.Message}");
                return 1;
            }
        }
        finally
        {
            target.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        string directory = Path.Combine(options.ReportsDirectory,
            $"{options.Name}-{started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(directory);
        foreach (PhaseResult phase in phases)
        {
            phase.ChartFile = phase.Name + ".png";
            ChartWriter.Write(Path.Combine(directory, phase.ChartFile), phase);
        }
        var info = new CampaignInfo(
            $"{options.EndPoint} (native binary protocol)",
            target.Description + string.Create(CultureInfo.InvariantCulture, $"; {options.Threads} socket engine thread(s), inline completions"),
            workload.Describe(),
            preload,
            string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, load average before {loadBefore}"),
            "echo-load " + string.Join(' ', args),
            started);
        string report = ReportWriter.Write(directory, info, phases);
        Console.WriteLine($"report: {Path.GetFullPath(report)}");
        return 0;
    }
}
