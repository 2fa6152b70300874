using System.Globalization;
using System.Net;
using EchoCache.Net.Hosting;

namespace EchoCache.Load;

/// <summary>The load tool's command line (see <see cref="Usage"/>), checked: every mistake is a <see cref="UsageException"/>.</summary>
internal sealed class LoadOptions
{
    public const string Usage = """
        usage: echo-load --port <port> [options]
          --host <address>          server address: loopback only (default 127.0.0.1)
          --mode <m>                closed, open, or both: closed then open (default both)
          --duration <s>            measured seconds per phase (default 20, at most 600)
          --warmup <s>              unrecorded seconds before each phase (default 2)
          --connections <n>         connections (default 8)
          --depth <n>               closed loop: requests in flight per connection (default 16)
          --rate <req/s>            open loop: requests per second on the timetable
          --rate-fraction <f>       open loop after a closed one, without --rate: this share of the closed-loop
                                    throughput (default 0.5)
          --max-in-flight <n>       open loop: requests in flight per connection at most (default 4096)
          --tick-us <µs>            open loop: scheduler wake-up period (default 100)
          --get-percent <p>         share of GETs, the rest SETs (default 90)
          --keys <n>                key space (default 100000, at most 10000000)
          --value-size <bytes>      value size (default 64)
          --preload <yes|no>        set every key before measuring (default yes)
          --max-requests <n>        request budget per phase (default 200000000)
          --client <fast|echo>      the tool's own pipelined client, or the client library EchoClient (default fast)
          --threads <n>             the tool's socket engine threads (default 1)
          --watch <name=pid,...>    processes whose CPU time each phase reports (e.g. the servers)
          --reports <dir>           where the report goes (default reports)
          --name <label>            report name (default campaign)
        """;

    public required IPEndPoint EndPoint { get; init; }
    public bool Closed { get; init; }
    public bool Open { get; init; }
    public TimeSpan Duration { get; init; }
    public TimeSpan Warmup { get; init; }
    public int Connections { get; init; }
    public int Depth { get; init; }
    public double? Rate { get; init; }
    public double RateFraction { get; init; }
    public int MaxInFlight { get; init; }
    public int TickMicroseconds { get; init; }
    public int GetPercent { get; init; }
    public int Keys { get; init; }
    public int ValueSize { get; init; }
    public bool Preload { get; init; }
    public long MaxRequests { get; init; }
    public bool UseEchoClient { get; init; }
    public int Threads { get; init; }
    public required IReadOnlyList<WatchedProcess> Watched { get; init; }
    public required string ReportsDirectory { get; init; }
    public required string Name { get; init; }

    public static LoadOptions Parse(string[] args)
    {
        HostArguments parsed = HostArguments.Parse(args, "port", "host", "mode", "duration", "warmup", "connections", "depth", "rate",
            "rate-fraction", "max-in-flight", "tick-us", "get-percent", "keys", "value-size", "preload", "max-requests", "client",
            "threads", "watch", "reports", "name");
        if (parsed.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{parsed.Positional[0]}'");
        }
        string portText = parsed.Get("port") ?? throw new UsageException("missing --port");
        int port = HostArguments.ParsePort(portText, "--port");
        IPAddress address = ParseLoopback(parsed.Get("host") ?? "127.0.0.1");
        string mode = parsed.Get("mode") ?? "both";
        if (mode is not ("closed" or "open" or "both"))
        {
            throw new UsageException($"--mode must be closed, open or both, not '{mode}'");
        }
        double? rate = parsed.Get("rate") is { } rateText ? ParseDouble("rate", rateText, 1, 10_000_000) : null;
        if (mode == "open" && rate == null)
        {
            throw new UsageException("--mode open needs --rate");
        }
        string client = parsed.Get("client") ?? "fast";
        if (client is not ("fast" or "echo"))
        {
            throw new UsageException($"--client must be fast or echo, not '{client}'");
        }
        string preload = parsed.Get("preload") ?? "yes";
        if (preload is not ("yes" or "no"))
        {
            throw new UsageException($"--preload must be yes or no, not '{preload}'");
        }
        string name = parsed.Get("name") ?? "campaign";
        if (name.Length == 0 || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new UsageException("--name must be 1 to 64 letters, digits, '-', '_' or '.'");
        }
        long maxRequests = long.TryParse(parsed.Get("max-requests") ?? "200000000", NumberStyles.None, CultureInfo.InvariantCulture,
            out long budget) && budget > 0 ? budget : throw new UsageException("--max-requests must be a positive whole number");
        return new LoadOptions
        {
            EndPoint = new IPEndPoint(address, port),
            Closed = mode != "open",
            Open = mode != "closed",
            Duration = TimeSpan.FromSeconds(parsed.GetInt("duration", 20, 1, 600)),
            Warmup = TimeSpan.FromSeconds(parsed.GetInt("warmup", 2, 0, 60)),
            Connections = parsed.GetInt("connections", 8, 1, 1024),
            Depth = parsed.GetInt("depth", 16, 1, 4096),
            Rate = rate,
            RateFraction = parsed.Get("rate-fraction") is { } fraction ? ParseDouble("rate-fraction", fraction, 0.01, 1) : 0.5,
            MaxInFlight = parsed.GetInt("max-in-flight", 4096, 1, 1 << 20),
            TickMicroseconds = parsed.GetInt("tick-us", 100, 10, 100_000),
            GetPercent = parsed.GetInt("get-percent", 90, 0, 100),
            Keys = parsed.GetInt("keys", 100_000, 1, 10_000_000),
            ValueSize = parsed.GetInt("value-size", 64, 0, 1 << 20),
            Preload = preload == "yes",
            MaxRequests = maxRequests,
            UseEchoClient = client == "echo",
            Threads = parsed.GetInt("threads", 1, 1, 16),
            Watched = ParseWatched(parsed.Get("watch")),
            ReportsDirectory = parsed.Get("reports") ?? "reports",
            Name = name,
        };
    }

    /// <summary>
    /// The tool loads only servers on this machine: a loopback address (127.0.0.0/8, ::1) or "localhost". Any other
    /// address is refused before a socket is opened.
    /// </summary>
    public static IPAddress ParseLoopback(string host)
    {
        if (host == "localhost")
        {
            return IPAddress.Loopback;
        }
        if (!IPAddress.TryParse(host, out IPAddress? address))
        {
            throw new UsageException($"--host must be an IP address or localhost, not '{host}'");
        }
        if (!IPAddress.IsLoopback(address))
        {
            throw new UsageException($"refusing to load {host}: the load tool only targets this machine's loopback (127.0.0.1)");
        }
        return address;
    }

    private static double ParseDouble(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max
            ? value
            : throw new UsageException($"--{name} must be a number from {min} to {max}, not '{text}'");

    internal static List<WatchedProcess> ParseWatched(string? text)
    {
        var watched = new List<WatchedProcess>();
        if (string.IsNullOrEmpty(text))
        {
            return watched;
        }
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !int.TryParse(item[(equals + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            {
                throw new UsageException($"--watch takes name=pid pairs separated by commas, not '{item}'");
            }
            watched.Add(new WatchedProcess(item[..equals], pid));
        }
        return watched;
    }
}
