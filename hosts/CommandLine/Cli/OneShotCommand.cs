namespace EchoCache.CommandLine;

/// <summary>
/// <c>commandline &lt;ip&gt; &lt;port&gt; &lt;command&gt; …</c>: runs one command for a script. Just the result
/// goes to <c>output</c>; every message goes to <c>error</c>; the exit code says what happened (<see cref="ExitCodes"/>).
/// </summary>
internal static class OneShotCommand
{
    /// <summary>Parses and runs <paramref name="words"/> (split by the shell already); returns the exit code.</summary>
    public static async Task<int> RunAsync(ICacheConnection connection, IReadOnlyList<string> words, TextWriter output,
        TextWriter error, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ParseResult parsed = CommandParser.Parse(words);
        if (parsed.Command is not { } command)
        {
            error.WriteLine(parsed.Error ?? CommandHelp.UnknownCommand(""));
            return ExitCodes.Usage;
        }
        switch (command.Kind)
        {
            case CliCommandKind.Help:
                output.WriteLine(CommandHelp.Commands);
                return ExitCodes.Success;
            case CliCommandKind.Quit:
                return ExitCodes.Success;
        }

        try
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnreachableException e)
        {
            error.WriteLine(CommandHelp.Unreachable(connection.Endpoint, e.Reason));
            return ExitCodes.Unreachable;
        }
        catch (AuthenticationFailedException e)
        {
            error.WriteLine(CommandHelp.AuthenticationFailed(connection.Endpoint, e.Reason));
            return ExitCodes.AuthenticationFailed;
        }
        CommandOutcome outcome;
        try
        {
            outcome = ReplyFormatter.Format(command, await connection.ExecuteAsync(command, cancellationToken).ConfigureAwait(false),
                OutputStyle.Script, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        catch (ConnectionLostException e)
        {
            error.WriteLine(CommandHelp.ConnectionLost(connection.Endpoint, e.Reason));
            return ExitCodes.Unreachable;
        }
        (outcome.IsSuccess ? output : error).WriteLine(outcome.Text);
        return outcome.ExitCode;
    }
}
