using System.Net;
using System.Runtime.InteropServices;
using EchoCache.Net.Cluster;
using EchoCache.Net.Hosting;
using EchoCache.Net.Security;
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
                                      copies of every slot and repairs differences (default 300000; 0: off)
          --max-connections <n>       client connections served at once; one more is answered "max
                                      number of clients reached" and closed (default 10000; worker
                                      links are not counted)
          --timeout <seconds>         close a client that completes no request for this long
                                      (default 0: never)
          --threads <n>               event loop threads (default 1)
          --poll <us>                 longest an idle event loop polls before it sleeps, in microseconds,
                                      when its recent sleeps say that pays (default 100; 0: never)
          --cluster-secret-file <path>
                                      the secret shared with the workers (at least 16 bytes): every link
                                      proves it, and workers started with it serve nothing else
          --log-level <level>         trace, debug, info, warn, error (default info)
          --requirepass <password>    clients must AUTH with this password (shows in ps: prefer the
                                      file or the ECHO_CACHE_PASSWORD environment variable)
          --requirepass-file <path>   the password is the first line of this file
          --protected-mode yes|no     without a password, refuse clients not on 127.0.0.1 or ::1 (default yes)
          --test-reads-from-syncing yes|no
                                      test only: let reads go to a copy still being refilled, breaking
                                      linearizability on purpose (the fault campaign must catch it; default no)
        """;

    private static int Main(string[] args)
    {
        IPEndPoint endPoint;
        var workers = new List<IPEndPoint>();
        ClusterOptions options;
        ServerOptions serverOptions;
        int threads, poll;
        LogLevel level;
        string? secretFile = null;
        AccessControl access;
        try
        {
            HostArguments parsed = HostArguments.Parse(args, ["bind", "health-interval", "health-timeout", "links", "copy-check-interval",
                "threads", "poll", "log-level", "cluster-secret-file", "test-reads-from-syncing", .. ConnectionArguments.Options,
                .. AccessArguments.Options]);
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
                Secret = (secretFile = parsed.Get("cluster-secret-file")) == null ? null : HostArguments.ReadClusterSecret(secretFile),
                CopyCheckInterval = TimeSpan.FromMilliseconds(parsed.GetInt("copy-check-interval", 300_000, 0, 86_400_000)),
                ReadsFromSyncingCopies = parsed.Get("test-reads-from-syncing") switch
                {
                    null or "no" => false,
                    "yes" => true,
                    string other => throw new UsageException($"--test-reads-from-syncing must be yes or no, not '{other}'"),
                },
            };
            serverOptions = ConnectionArguments.Parse(parsed);
            threads = parsed.GetInt("threads", 1, 1, 64);
            poll = parsed.GetInt("poll", 100, 0, 10_000);
            string levelText = parsed.Get("log-level") ?? "info";
            if (!ConsoleLogger.TryParseLevel(levelText, out level))
            {
                throw new UsageException($"--log-level must be trace, debug, info, warn, error or none, not '{levelText}'");
            }
            access = new AccessControl(
                AccessArguments.ParsePassword(parsed, Environment.GetEnvironmentVariable(AccessArguments.PasswordVariable)),
                protectedMode: AccessArguments.ParseProtectedMode(parsed));
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
        DescriptorLimit.Raise(logger, serverOptions.MaxConnections);
        if (secretFile != null)
        {
            AccessLog.CheckSecretFile(logger, secretFile);
        }
        using var loops = new EventLoopGroup(threads, "echo loop", TimeSpan.FromMicroseconds(poll));
        using var cluster = new Cluster(workers, options, loops, logger);
        // The port is taken before the workers are: a second orchestrator started on a busy port must fail before it
        // joins the workers with a newer epoch and fences the running one out.
        SocketServer server;
        try
        {
            server = SocketServer.CreateDuplex(endPoint, () => new ClusterSessionSelector(cluster, access), loops, serverOptions);
        }
        catch (ListenException e)
        {
            OrchestratorLog.CannotListen(logger, e.EndPoint, e.Reason);
            return 1;
        }
        using (server)
        {
            cluster.Clients.Server = server; // INFO: connected_clients, maxclients, rejected_connections
            cluster.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            try
            {
                server.Start();
            }
            catch (ListenException e)
            {
                // Another process bound the port too while this one started its cluster, and listened first.
                OrchestratorLog.CannotListen(logger, e.EndPoint, e.Reason);
                return 1;
            }
            OrchestratorLog.Listening(logger, server.LocalEndPoint, workers.Count, workers.Count == 2 ? 1 : workers.Count);
            AccessLog.Announce(logger, access, server.LocalEndPoint);
            using PosixSignalRegistration? reload = options.Secret is { } secret ? SecretReload.Register(secret, secretFile!, logger) : null;
            string signal = StopSignal.Wait(Timeout.InfiniteTimeSpan);
            OrchestratorLog.Stopping(logger, signal);
        }
        return 0;
    }
}
