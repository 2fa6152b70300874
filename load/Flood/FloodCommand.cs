using System.Diagnostics;
using System.Globalization;
using System.Net;
using EchoCache.Net.Cluster;
using EchoCache.Net.Hosting;
using EchoCache.Net.Security;

namespace EchoCache.Load.Flood;

/// <summary>
/// <c>echo-load flood</c> (load/README.md, "flood.sh"): floods an orchestrator with several times its workers'
/// memory for a while, printing every few seconds what was written, the orchestrator's evictions and each watched
/// worker's resident memory; at the end, every write's fate, each worker's peak RSS against its limit, and a
/// <see cref="CopyAudit"/> of the copies. Exits 0 when every write was acknowledged, the copies are identical and
/// (with <c>--overhead</c>) no worker's peak RSS passed its limit plus that overhead; 1 otherwise; 2 on a usage error.
/// </summary>
internal static class FloodCommand
{
    public const string Usage = """
        usage: echo-load flood --port <orchestrator port> --workers <host:port,...> [options]
          --workers <list>          the orchestrator's workers, in its command-line order (for the copy audit)
          --watch <name=pid,...>    worker processes whose RSS is sampled (in the same order)
          --memory <size>           the workers' --memory, to report RSS above it (e.g. 64mb)
          --overhead <size>         fail when a worker's peak RSS passes --memory plus this
          --duration <s>            seconds to write (default 300, at most 3600)
          --bytes <size>            stop earlier, once this many value bytes were written (e.g. 4g)
          --connections <n>         connections writing (default 4)
          --pipeline <n>            SETs per batch (default 32)
          --min-value <bytes>       shortest value (default 16)
          --max-value <bytes>       longest value (default 16384)
          --sample <s>              seconds between progress lines (default 5)
          --cluster-secret-file <path>  the workers' secret, for the audit's links
        """;

    public static int Run(string[] args)
    {
        HostArguments parsed;
        int port;
        IPEndPoint[] workers;
        List<WatchedProcess> watched;
        long? memory, overhead, bytes;
        ClusterSecret? secret;
        try
        {
            parsed = HostArguments.Parse(args, "port", "workers", "watch", "memory", "overhead", "duration", "bytes", "connections",
                "pipeline", "min-value", "max-value", "sample", "cluster-secret-file");
            if (parsed.Positional.Count > 0)
            {
                throw new UsageException($"unexpected argument '{parsed.Positional[0]}'");
            }
            port = HostArguments.ParsePort(parsed.Get("port") ?? throw new UsageException("missing --port"), "--port");
            workers = [.. (parsed.Get("workers") ?? throw new UsageException("missing --workers")).Split(',').Select(ParseWorker)];
            if (workers.Length < 2)
            {
                throw new UsageException("--workers names at least two workers");
            }
            watched = LoadOptions.ParseWatched(parsed.Get("watch"));
            memory = Size(parsed, "memory");
            overhead = Size(parsed, "overhead");
            bytes = Size(parsed, "bytes");
            secret = parsed.Get("cluster-secret-file") is { } path ? HostArguments.ReadClusterSecret(path) : null;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"echo-load flood: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var flood = new MemoryFlood(new IPEndPoint(IPAddress.Loopback, port))
        {
            Connections = parsed.GetInt("connections", 4, 1, 256),
            Pipeline = parsed.GetInt("pipeline", 32, 1, 4096),
            MinValue = parsed.GetInt("min-value", 16, 1, 1 << 20),
            MaxValue = parsed.GetInt("max-value", 16 * 1024, 1, 1 << 20),
        };
        var duration = TimeSpan.FromSeconds(parsed.GetInt("duration", 300, 1, 3600));
        var sample = TimeSpan.FromSeconds(parsed.GetInt("sample", 5, 1, 600));
        var orchestrator = new IPEndPoint(IPAddress.Loopback, port);
        Console.WriteLine($"flood: {workers.Length} workers{(memory is long m ? $" of {Mib(m)} each" : "")}, writing for {duration.TotalSeconds:F0} s"
            + $"{(bytes is long b ? $" or {Mib(b)}" : "")}, values {flood.MinValue}-{flood.MaxValue} bytes, {flood.Connections} connections x {flood.Pipeline}; "
            + $"load average {LoadAverage()}");

        var peaks = new long[watched.Count];
        Task<FloodResult> running = flood.RunAsync(bytes ?? long.MaxValue, duration);
        var clock = Stopwatch.StartNew();
        long lastBytes = 0;
        TimeSpan lastAt = TimeSpan.Zero;
        while (!running.Wait(sample))
        {
            TimeSpan now = clock.Elapsed;
            long written = flood.BytesWritten;
            Console.WriteLine($"flood: t={now.TotalSeconds,4:F0}s written={Mib(written),11} acked={flood.Acknowledged,10:N0} "
                + $"rate={(written - lastBytes) / 1048576.0 / (now - lastAt).TotalSeconds,6:F1}MiB/s {Cluster(orchestrator)} {Memory(watched, peaks, memory)}");
            lastBytes = written;
            lastAt = now;
        }
        FloodResult result = running.Result;
        Console.WriteLine($"flood: {result}");

        // The workers back up (a worker that lost eviction notices is marked down and refilled), then the audit.
        bool settled = WaitForWorkersUp(orchestrator, workers.Length, TimeSpan.FromSeconds(60));
        Console.WriteLine($"flood: after: {Cluster(orchestrator)} {Memory(watched, peaks, memory)}");
        bool withinBound = true;
        for (int i = 0; i < watched.Count; i++)
        {
            string above = memory is long limit ? $" = --memory + {Mib(peaks[i] - limit)}" : "";
            bool over = memory is long l && overhead is long o && peaks[i] > l + o;
            withinBound &= !over;
            Console.WriteLine($"flood: {watched[i].Name} peak RSS {Mib(peaks[i])}{above}{(over ? $"  OVER the bound of --memory + {Mib(overhead!.Value)}" : "")}");
        }
        var audit = new CopyAudit(workers, secret) { Attempts = 5, RetryDelay = TimeSpan.FromSeconds(1) };
        CopyAuditResult copies = audit.RunAsync().GetAwaiter().GetResult();
        Console.Write($"audit: {copies.Describe()}");
        bool ok = result.AllAcknowledged && settled && copies.Identical && withinBound;
        Console.WriteLine(ok ? "flood: PASS" : "flood: FAIL");
        return ok ? 0 : 1;
    }

    private static IPEndPoint ParseWorker(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new UsageException($"--workers takes host:port pairs separated by commas, not '{text}'");
        }
        return new IPEndPoint(LoadOptions.ParseLoopback(text[..colon]), HostArguments.ParsePort(text[(colon + 1)..], "--workers"));
    }

    private static long? Size(HostArguments parsed, string name) => parsed.Get(name) is not { } text ? null
        : ByteSize.TryParse(text, out long value) && value > 0 ? value
        : throw new UsageException($"--{name} must be a size such as 64mb or 4g, not '{text}'");

    private static bool WaitForWorkersUp(IPEndPoint orchestrator, int count, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < timeout)
        {
            if (ServerInfo.Read(orchestrator).Number("workers_up") == count)
            {
                return true;
            }
            Thread.Sleep(100);
        }
        Console.WriteLine($"flood: the workers were not all up within {timeout.TotalSeconds:F0} s after the flood");
        return false;
    }

    private static string Cluster(IPEndPoint orchestrator)
    {
        try
        {
            ServerInfo info = ServerInfo.Read(orchestrator);
            int workers = (int)info.Number("workers");
            string evictions = string.Join("/", Enumerable.Range(0, workers).Select(i => info.Part($"worker{i}_stats", "evictions").ToString("N0", CultureInfo.InvariantCulture)));
            return $"up={info.Number("workers_up")}/{workers} evicted={evictions}";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return $"(INFO failed: {e.Message})";
        }
    }

    private static string Memory(List<WatchedProcess> watched, long[] peaks, long? memory)
    {
        var parts = new List<string>();
        for (int i = 0; i < watched.Count; i++)
        {
            if (ProcessStatus.Read(watched[i].Pid) is not { } status)
            {
                parts.Add($"{watched[i].Name} gone");
                continue;
            }
            peaks[i] = Math.Max(peaks[i], status.PeakResidentBytes);
            parts.Add($"{watched[i].Name} rss={Mib(status.ResidentBytes)}{(memory is long m ? $" (+{Mib(status.ResidentBytes - m)})" : "")}");
        }
        return string.Join(" ", parts);
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F1}MiB";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
