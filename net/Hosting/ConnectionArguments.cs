using EchoCache.Net.Server;

namespace EchoCache.Net.Hosting;

/// <summary>
/// The options both server hosts (worker, orchestrator) take for their client connections, parsed alike:
/// <c>--max-connections &lt;n&gt;</c> (Redis's maxclients) and <c>--timeout &lt;seconds&gt;</c> (Redis's timeout).
/// See docs/operations.md, "Limits a client meets".
/// </summary>
public static class ConnectionArguments
{
    /// <summary>The option names, for <see cref="HostArguments.Parse"/>.</summary>
    public static readonly string[] Options = ["max-connections", "timeout"];

    /// <summary>The default of <c>--max-connections</c>, as Redis's maxclients.</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>The longest <c>--timeout</c>: a year, in seconds.</summary>
    public const int MaxTimeoutSeconds = 31_536_000;

    /// <summary>The server settings the options give.</summary>
    /// <exception cref="UsageException">A value that is not a whole number in range.</exception>
    public static ServerOptions Parse(HostArguments parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return new ServerOptions
        {
            MaxConnections = parsed.GetInt("max-connections", DefaultMaxConnections, 1, 1_000_000),
            IdleTimeout = TimeSpan.FromSeconds(parsed.GetInt("timeout", 0, 0, MaxTimeoutSeconds)),
        };
    }
}
