namespace EchoCache.CommandLine;

/// <summary>The answer to show for a command, and the exit code the one-shot form ends with.</summary>
internal readonly record struct CommandOutcome(string Text, int ExitCode)
{
    /// <summary>Whether the command did what it asked.</summary>
    public bool IsSuccess => ExitCode == ExitCodes.Success;
}
