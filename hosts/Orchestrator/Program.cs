using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Cluster;
using EchoCache.Net.Hosting;
using EchoCache.Net.Server;
using Microsoft.Extensions.Logging;

namespace EchoCache.Orchestrator;

/// <summary>
/// <c>orchestrator &lt;port&gt; &lt;worker ip&gt; &lt;worker port&gt; … [options]</c>: routes every request to the
/// replicas of its key until SIGTERM or Ctrl-C.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: orchestrator <port> <worker ip> <worker port> <worker ip> <worker port> [more workers] [options]
          --bind <address>            address to listen on (default 127.0.0.1)
          --health-interval <ms>      health check period per worker (default 100)
          --health-timeout <ms>       unanswered health check that marks a worker down (default 500)
          --links <n>                 pipelined connections per worker (default 1)
          --copy-check-interval <ms>  pause between rounds of the background check that compares the two
                                      copies of every slot and repairs differences (default 60000; 0: off)
          --threads <n>               event loop threads (default 1)
          --poll <us>                 longest an idle event loop polls before it sleeps, in microseconds,
                                      when its recent sleeps say that pays (default 100; 0: never)
          --log-level <level>         trace, debug, info, warn, error (default info)
        """;

    private static int Main(string[] args)
    {
        IPEndPoint endPoint;
        var workers = new List<IPEndPoint>();
        ClusterOptions options;
        int threads, poll;
        LogLevel level;
        try
        {
            HostArguments parsed = HostArguments.Parse(args, "bind", "health-interval", "health-timeout", "links", "copy-check-interval", "threads", "poll", "log-level");
            List<string> positional = parsed.Positional;
            if (positional.Count == 0)
            {
                throw new UsageException("missing <port>");
            }
            int port = HostArguments.ParsePort(positional[0], "<port>");
            if (positional.Count < 5 || (positional.Count - 1) % 2 != 0)
            {
                throw new UsageException("give at least two workers, each as <worker ip> <worker port>");
            }
            for (int i = 1; i < positional.Count; i += 2)
            {
                if (!IPAddress.TryParse(positional[i], out IPAddress? workerAddress))
                {
                    throw new UsageException($"worker address must be an IP address, not '{positional[i]}'");
                }
                var worker = new IPEndPoint(workerAddress, HostArguments.ParsePort(positional[i + 1], "<worker port>"));
                if (workers.Contains(worker))
                {
                    throw new UsageException($"worker {worker} is listed twice");
                }
                workers.Add(worker);
            }
            string bind = parsed.Get("bind") ?? "127.0.0.1";
            if (!IPAddress.TryParse(bind, out IPAddress? address))
            {
                throw new UsageException($"--bind must be an IP address, not '{bind}'");
            }
            endPoint = new IPEndPoint(address, port);
            options = new ClusterOptions
            {
                HealthInterval = TimeSpan.FromMilliseconds(parsed.GetInt("health-interval", 100, 10, 60_000)),
                HealthTimeout = TimeSpan.FromMilliseconds(parsed.GetInt("health-timeout", 500, 10, 600_000)),
                LinksPerWorker = parsed.GetInt("links", 1, 1, 64),
                CopyCheckInterval = TimeSpan.FromMilliseconds(parsed.GetInt("copy-check-interval", 60_000, 0, 86_400_000)),
            };
            threads = parsed.GetInt("threads", 1, 1, 64);
            poll = parsed.GetInt("poll", 100, 0, 10_000);
            string levelText = parsed.Get("log-level") ?? "info";
            if (!ConsoleLogger.TryParseLevel(levelText, out level))
            {
                throw new UsageException($"--log-level must be trace, debug, info, warn, error or none, not '{levelText}'");
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"orchestrator: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // The runtime's socket engine only accepts connections here; event loops drive every connection.
        SocketEngineSettings.UseInlineCompletions(1);
        var logger = new ConsoleLogger("orchestrator", level);
        using var loops = new EventLoopGroup(threads, "echo loop", TimeSpan.FromMicroseconds(poll));
        using var cluster = new Cluster(workers, options, loops, logger);
        cluster.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        using SocketServer server = SocketServer.CreateDuplex(endPoint, () => new ClusterSessionSelector(cluster), loops);
        try
        {
            server.Start();
        }
        catch (SocketException e)
        {
            OrchestratorLog.CannotListen(logger, endPoint, e.Message);
            return 1;
        }
        OrchestratorLog.Listening(logger, server.LocalEndPoint, workers.Count, workers.Count == 2 ? 1 : workers.Count);

        string signal = StopSignal.Wait(Timeout.InfiniteTimeSpan);
        OrchestratorLog.Stopping(logger, signal);
        return 0;
    }
}
