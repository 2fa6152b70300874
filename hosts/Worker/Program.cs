using System.Net;
using System.Runtime.InteropServices;
using EchoCache.Engine;
using EchoCache.Net.Hosting;
using EchoCache.Net.Security;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using Microsoft.Extensions.Logging;

namespace EchoCache.Worker;

/// <summary><c>worker &lt;port&gt; [options]</c>: serves one storage engine until SIGTERM or Ctrl-C.</summary>
internal static class Program
{
    private const string Usage = """
        usage: worker <port> [options]
          --bind <address>         address to listen on (default 127.0.0.1)
          --memory <size>          item memory limit, e.g. 512mb, 4g (default 1g)
          --max-connections <n>    connections served at once; one more is answered "max number of
                                   clients reached" and closed (default 10000)
          --timeout <seconds>      close a client that completes no request for this long (default 0: never)
          --threads <n>            event loop threads (default 1)
          --poll <us>              longest an idle event loop polls before it sleeps, in microseconds,
                                   when its recent sleeps say that pays (default 100; 0: never)
          --log-level <level>      trace, debug, info, warn, error (default info)
          --requirepass <password> clients must AUTH with this password (shows in ps: prefer the
                                   file or the ECHO_CACHE_PASSWORD environment variable); a worker with a
                                   password serves clients only, not an orchestrator
          --requirepass-file <path>  the password is the first line of this file
          --protected-mode yes|no  without a password, refuse clients not on 127.0.0.1 or ::1 (default yes)
          --cluster-secret-file <path>
                                   the secret shared with the orchestrator (at least 16 bytes): only links
                                   that prove it are served; clients are sent to the orchestrator
          --clock-offset-ms <ms>   test only: shifts this worker's own clock (the orchestrator's clock,
                                   carried in its requests, judges expiry in a cluster)
        """;

    private static int Main(string[] args)
    {
        IPEndPoint endPoint;
        long memory;
        ServerOptions serverOptions;
        int threads, poll, clockOffset;
        LogLevel level;
        AccessControl access;
        string? secretFile;
        ClusterMembership membership;
        try
        {
            HostArguments parsed = HostArguments.Parse(args, ["bind", "memory", "threads", "poll", "log-level",
                "clock-offset-ms", "cluster-secret-file", .. ConnectionArguments.Options, .. AccessArguments.Options]);
            if (parsed.Positional.Count != 1)
            {
                throw new UsageException(parsed.Positional.Count == 0 ? "missing <port>" : "too many arguments");
            }
            int port = HostArguments.ParsePort(parsed.Positional[0], "<port>");
            string bind = parsed.Get("bind") ?? "127.0.0.1";
            if (!IPAddress.TryParse(bind, out IPAddress? address))
            {
                throw new UsageException($"--bind must be an IP address, not '{bind}'");
            }
            endPoint = new IPEndPoint(address, port);
            string memoryText = parsed.Get("memory") ?? "1g";
            if (!ByteSize.TryParse(memoryText, out memory) || memory < EngineLimits.MinMemoryLimit || memory > EngineLimits.MaxMemoryLimit)
            {
                throw new UsageException($"--memory must be a size from 4mb to 16g, not '{memoryText}'");
            }
            serverOptions = ConnectionArguments.Parse(parsed);
            threads = parsed.GetInt("threads", 1, 1, 64);
            poll = parsed.GetInt("poll", 100, 0, 10_000);
            clockOffset = parsed.GetInt("clock-offset-ms", 0, -86_400_000, 86_400_000);
            secretFile = parsed.Get("cluster-secret-file");
            membership = new ClusterMembership(secretFile == null ? null : HostArguments.ReadClusterSecret(secretFile));
            string levelText = parsed.Get("log-level") ?? "info";
            if (!ConsoleLogger.TryParseLevel(levelText, out level))
            {
                throw new UsageException($"--log-level must be trace, debug, info, warn, error or none, not '{levelText}'");
            }
            if (secretFile == null)
            {
                access = new AccessControl(
                    AccessArguments.ParsePassword(parsed, Environment.GetEnvironmentVariable(AccessArguments.PasswordVariable)),
                    protectedMode: AccessArguments.ParseProtectedMode(parsed));
            }
            else
            {
                // A cluster's worker serves its orchestrator's links, which prove the secret: no client password (it
                // would lock the orchestrator out), and no protected mode (the orchestrator may be on another machine).
                if (parsed.Get("requirepass") != null || parsed.Get("requirepass-file") != null)
                {
                    throw new UsageException("a worker with --cluster-secret-file takes no password: clients authenticate at the orchestrator");
                }
                access = AccessControl.Open;
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"worker: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // The runtime's socket engine only accepts connections here; event loops drive every connection.
        SocketEngineSettings.UseInlineCompletions(1);
        var logger = new ConsoleLogger("worker", level);
        DescriptorLimit.Raise(logger, serverOptions.MaxConnections);
        if (secretFile != null)
        {
            AccessLog.CheckSecretFile(logger, secretFile);
        }
        // Evictions are logged for the orchestrator, which deletes an evicted key on its other copy too
        // (docs/consistency.md, "Eviction").
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = memory, EvictionObserver = new EvictionLog() },
            new SenderClock(clockOffset));
        var stats = new WorkerStats();
        using var loops = new EventLoopGroup(threads, "echo loop", TimeSpan.FromMicroseconds(poll));
        SocketServer? server = null;
        try
        {
            server = new SocketServer(endPoint, () => new WorkerSession(engine, stats, access, membership), loops, serverOptions);
            server.Start();
        }
        catch (ListenException e)
        {
            server?.Dispose();
            WorkerLog.CannotListen(logger, e.EndPoint, e.Reason);
            return 1;
        }
        using SocketServer serving = server;
        stats.Server = server;
        WorkerLog.Listening(logger, server.LocalEndPoint, memory >> 20, engine.ShardCount);
        if (membership.IsClosed)
        {
            WorkerLog.ClusterOnly(logger);
        }
        else
        {
            AccessLog.Announce(logger, access, server.LocalEndPoint);
        }

        // The main thread runs the engine's bounded maintenance (expiry sweep, resize steps) until told to stop.
        using PosixSignalRegistration? reload = membership.Secret is { } secret ? SecretReload.Register(secret, secretFile!, logger) : null;
        string signal = StopSignal.Wait(TimeSpan.FromMilliseconds(100), () =>
        {
            int removed = engine.Maintain();
            if (removed > 0)
            {
                WorkerLog.Swept(logger, removed);
            }
        });
        WorkerLog.Stopping(logger, signal, engine.Count, server.ConnectionCount);
        return 0;
    }
}
