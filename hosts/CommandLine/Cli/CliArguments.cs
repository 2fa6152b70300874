using EchoCache.Net.Hosting;

namespace EchoCache.CommandLine;

/// <summary>
/// The command line: <c>&lt;orchestrator ip&gt; &lt;orchestrator port&gt; [--password &lt;password&gt;] [command
/// [arguments]]</c>, or <c>--help</c>. <c>--password</c> (or <c>--password=…</c>) may come anywhere before the
/// command; everything after that is the one-shot command, word for word, so values may start with a dash
/// (<c>incr hits -5</c>). Without <c>--password</c>, the password comes from the ECHO_CACHE_PASSWORD environment
/// variable when it is set and not empty.
/// </summary>
internal sealed record CliArguments(string Host, int Port, IReadOnlyList<string> Command, bool ShowHelp, string? Password = null)
{
    private const string PasswordOption = "--password";

    /// <summary>Parses <paramref name="args"/>; <paramref name="environmentPassword"/> is the variable's value (null when unset).</summary>
    /// <exception cref="UsageException">The command line is wrong; the message says how.</exception>
    public static CliArguments Parse(IReadOnlyList<string> args, string? environmentPassword = null)
    {
        if (args.Count > 0 && IsHelp(args[0]))
        {
            return new CliArguments("", 0, [], ShowHelp: true);
        }
        var words = new List<string>(2);
        string? password = null;
        int next = 0;
        while (next < args.Count)
        {
            string arg = args[next];
            if (arg == PasswordOption)
            {
                if (next + 1 >= args.Count)
                {
                    throw new UsageException("option --password needs a value");
                }
                password = args[next + 1];
                next += 2;
            }
            else if (arg.StartsWith(PasswordOption + "=", StringComparison.Ordinal))
            {
                password = arg[(PasswordOption.Length + 1)..];
                next++;
            }
            else if (words.Count < 2)
            {
                words.Add(arg);
                next++;
            }
            else
            {
                break; // the one-shot command starts here
            }
        }
        if (words.Count < 2)
        {
            throw new UsageException(words.Count == 0
                ? "missing <orchestrator ip> and <orchestrator port>"
                : "missing <orchestrator port>");
        }
        string host = words[0];
        if (host.Length == 0 || host.StartsWith('-'))
        {
            throw new UsageException(host.Length == 0 ? "<orchestrator ip> is empty" : $"unknown option {host}");
        }
        int port = HostArguments.ParsePort(words[1], "<orchestrator port>");
        if (password is { Length: 0 })
        {
            throw new UsageException("--password is empty");
        }
        string[] command = args.Skip(next).ToArray();
        if (command.Length == 1 && IsHelp(command[0]))
        {
            return new CliArguments("", 0, [], ShowHelp: true);
        }
        return new CliArguments(host, port, command, ShowHelp: false,
            password ?? (string.IsNullOrEmpty(environmentPassword) ? null : environmentPassword));
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h";
}
