using EchoCache.Net.Hosting;

namespace EchoCache.CommandLine;

/// <summary>
/// The command line: <c>&lt;orchestrator ip&gt; &lt;orchestrator port&gt; [command [arguments]]</c>, or
/// <c>--help</c>. Everything after the port is the one-shot command, word for word, so values may start with a
/// dash (<c>incr hits -5</c>).
/// </summary>
internal sealed record CliArguments(string Host, int Port, IReadOnlyList<string> Command, bool ShowHelp)
{
    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <exception cref="UsageException">The command line is wrong; the message says how.</exception>
    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        if ((args.Count > 0 && IsHelp(args[0])) || (args.Count == 3 && IsHelp(args[2])))
        {
            return new CliArguments("", 0, [], ShowHelp: true);
        }
        if (args.Count < 2)
        {
            throw new UsageException(args.Count == 0
                ? "missing <orchestrator ip> and <orchestrator port>"
                : "missing <orchestrator port>");
        }
        string host = args[0];
        if (host.Length == 0 || host.StartsWith('-'))
        {
            throw new UsageException(host.Length == 0 ? "<orchestrator ip> is empty" : $"unknown option {host}");
        }
        int port = HostArguments.ParsePort(args[1], "<orchestrator port>");
        return new CliArguments(host, port, args.Skip(2).ToArray(), ShowHelp: false);
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h";
}
