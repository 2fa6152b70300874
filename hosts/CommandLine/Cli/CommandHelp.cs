namespace EchoCache.CommandLine;

/// <summary>Every text the CLI shows about itself: the original menu, the command list, usages and the --help page.</summary>
internal static class CommandHelp
{
    /// <summary>The original dialogue's menu, word for word (the seed README's transcript); a blank line follows it.</summary>
    public const string Menu = """
        Type a command:
         1. set <key> <value>
         2. get <key>
         3. quit
        """;

    /// <summary>The original prompt.</summary>
    public const string Prompt = ">>> ";

    /// <summary>Usage of each command, as <c>help</c> lists them and wrong arguments quote them.</summary>
    public const string SetUsage = "set <key> <value> [ttl seconds]";
    /// <inheritdoc cref="SetUsage"/>
    public const string GetUsage = "get <key>";
    /// <inheritdoc cref="SetUsage"/>
    public const string DeleteUsage = "del <key>";
    /// <inheritdoc cref="SetUsage"/>
    public const string TimeToLiveUsage = "ttl <key>";
    /// <inheritdoc cref="SetUsage"/>
    public const string IncrementUsage = "incr <key> [delta]";
    /// <inheritdoc cref="SetUsage"/>
    public const string DecrementUsage = "decr <key> [delta]";

    /// <summary>The longest time to live <c>set</c> takes: 10 years, well inside the protocol's expiry range.</summary>
    public const long MaxTimeToLiveSeconds = 315_360_000;

    /// <summary>What <c>help</c> prints: every command, and how to quote.</summary>
    public const string Commands = """
        Commands:
          set <key> <value> [ttl seconds]   store a value; with a ttl it expires after that many seconds
          get <key>                         read a value
          del <key>                         delete a key
          ttl <key>                         seconds left before the key expires, or "no expiry"
          incr <key> [delta]                add delta (default 1, may be negative) to a whole number; prints the result
          decr <key> [delta]                subtract delta (default 1); prints the result
          help                              this list
          quit                              leave (end of input, Ctrl-D, too)
        A key or value with spaces goes in quotes: set greeting "hello world".
        In "double quotes" write \" for a quote and \\ for a backslash; 'single quotes' keep everything as typed.
        """;

    /// <summary>What a bad command line prints after its reason.</summary>
    public const string ShortUsage = """
        usage: commandline <orchestrator ip> <orchestrator port> [--password <password>] [command [arguments]]
        (commandline --help lists the commands and the exit codes)
        """;

    /// <summary><c>commandline --help</c>.</summary>
    public const string Usage = """
        usage: commandline <orchestrator ip> <orchestrator port> [--password <password>] [command [arguments]]

          commandline 127.0.0.1 8000             the interactive dialogue (type help there)
          commandline 127.0.0.1 8000 get name    runs one command, prints just its result and exits

        A server started with a password needs it: --password <password>, or the ECHO_CACHE_PASSWORD
        environment variable, which keeps it out of ps (--password wins when both are given).

        One-shot results, on standard output (messages go to standard error):
          set: Success   get: the value   del: Deleted   ttl: seconds left, or "no expiry"
          incr, decr: the new value
        The shell does the quoting: commandline 127.0.0.1 8000 set greeting "hello world" 60

        Commands:
          set <key> <value> [ttl seconds]   store a value; with a ttl it expires after that many seconds
          get <key>                         read a value
          del <key>                         delete a key
          ttl <key>                         seconds left before the key expires, or "no expiry"
          incr <key> [delta]                add delta (default 1, may be negative) to a whole number
          decr <key> [delta]                subtract delta (default 1)

        Exit codes:
          0  success (interactive: quit or end of input)
          1  not found: the key does not exist (get, del, ttl)
          2  usage error: a bad command line
          3  cannot reach the cluster, or the connection to it failed
          4  the server answered with an error, or the key is unavailable
          5  the server requires a password and none was given, or it refused the one given
        """;

    /// <summary>The answer to a command given the wrong arguments.</summary>
    public static string UsageOf(string usage) => "Usage: " + usage;

    /// <summary>The answer to a command that does not exist.</summary>
    public static string UnknownCommand(string name) => $"Unknown command '{name}'. Type help for the list.";

    /// <summary>The message when no connection can be made.</summary>
    public static string Unreachable(string endpoint, string reason) => $"Cannot reach the cluster at {endpoint}: {reason}";

    /// <summary>The message when the server refuses the password.</summary>
    public static string AuthenticationFailed(string endpoint, string reason) => $"Authentication failed at {endpoint}: {reason}";

    /// <summary>The answer to a command the server refused for want of a password.</summary>
    public const string PasswordNeeded =
        "Authentication required: the server has a password; give it with --password or the ECHO_CACHE_PASSWORD environment variable";

    /// <summary>The message when an open connection fails.</summary>
    public static string ConnectionLost(string endpoint, string reason) => $"Lost the connection to the cluster at {endpoint}: {reason}";
}
