namespace EchoCache.CommandLine;

/// <summary>
/// What <see cref="CommandParser"/> made of a line: a command, an error message for the user (usage, unknown
/// command, unterminated quote), or neither for a blank line.
/// </summary>
internal readonly record struct ParseResult(CliCommand? Command, string? Error)
{
    /// <summary>A blank line: nothing to do.</summary>
    public bool IsEmpty => Command is null && Error is null;

    /// <summary>A parsed command.</summary>
    public static ParseResult Ok(CliCommand command) => new(command, null);

    /// <summary>A mistake, with the message to show.</summary>
    public static ParseResult Fail(string error) => new(null, error);
}
