namespace EchoCache.CommandLine;

/// <summary>The process exit codes, documented in <c>commandline --help</c> and docs/operations.md.</summary>
internal static class ExitCodes
{
    /// <summary>The command succeeded (interactive: the dialogue ended with quit or end of input).</summary>
    public const int Success = 0;

    /// <summary>The key does not exist (get, del, ttl).</summary>
    public const int NotFound = 1;

    /// <summary>A bad command line: unknown command, wrong arguments, bad port.</summary>
    public const int Usage = 2;

    /// <summary>The cluster cannot be reached, or the connection to it failed.</summary>
    public const int Unreachable = 3;

    /// <summary>The server answered with an error (unavailable, too large, not a number, …).</summary>
    public const int ServerError = 4;

    /// <summary>The server requires a password and none was given, or it refused the one given.</summary>
    public const int AuthenticationFailed = 5;
}
