namespace EchoCache.CommandLine;

/// <summary>
/// The original dialogue: the menu, a blank line, then <c>&gt;&gt;&gt; </c> prompts, each answer followed by a
/// blank line. Answers go to <c>output</c>; connection trouble goes to <c>error</c>. When the input is not a
/// terminal (<c>echoInput</c>), each line read is written after its prompt, so the output reads as the transcript
/// a person at a terminal sees.
/// </summary>
internal sealed class InteractiveSession(ICacheConnection connection, TextReader input, TextWriter output, TextWriter error,
    bool echoInput, TimeProvider time)
{
    /// <summary>Connects, then runs the dialogue until quit or end of input; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
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

        output.WriteLine(CommandHelp.Menu);
        output.WriteLine();
        while (true)
        {
            output.Write(CommandHelp.Prompt);
            output.Flush();
            string? line = input.ReadLine();
            if (line == null)
            {
                // End of input (Ctrl-D) is quit; end the prompt's line first.
                output.WriteLine();
                output.Flush();
                return ExitCodes.Success;
            }
            if (echoInput)
            {
                output.WriteLine(line);
            }
            ParseResult parsed = CommandParser.ParseLine(line);
            if (parsed.IsEmpty)
            {
                continue;
            }
            if (parsed.Command is not { } command)
            {
                Answer(parsed.Error!);
                continue;
            }
            switch (command.Kind)
            {
                case CliCommandKind.Quit:
                    output.Flush();
                    return ExitCodes.Success;
                case CliCommandKind.Help:
                    Answer(CommandHelp.Commands);
                    continue;
            }
            CommandOutcome? outcome = await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
            if (outcome is not { } answer)
            {
                return ExitCodes.Unreachable;
            }
            Answer(answer.Text);
        }
    }

    /// <summary>
    /// Runs a command. When the connection drops, reconnects once: a command that is safe to repeat is sent again,
    /// incr and decr are not (they may have been applied). Null when the cluster cannot be reached any more.
    /// </summary>
    private async Task<CommandOutcome?> ExecuteAsync(CliCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await RunOnceAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionLostException lost)
        {
            Report(CommandHelp.ConnectionLost(connection.Endpoint, lost.Reason) + "; reconnecting");
        }
        try
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterUnreachableException e)
        {
            Report(CommandHelp.Unreachable(connection.Endpoint, e.Reason));
            return null;
        }
        catch (AuthenticationFailedException e)
        {
            Report(CommandHelp.AuthenticationFailed(connection.Endpoint, e.Reason));
            return null;
        }
        Report($"Reconnected to {connection.Endpoint}");
        if (!command.IsSafeToRepeat)
        {
            return new CommandOutcome(
                $"Not sent again: the first {command.Name} may or may not have been applied; check with get {command.Key}",
                ExitCodes.Unreachable);
        }
        try
        {
            return await RunOnceAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionLostException lostAgain)
        {
            Report(CommandHelp.ConnectionLost(connection.Endpoint, lostAgain.Reason));
            return null;
        }
    }

    private async Task<CommandOutcome> RunOnceAsync(CliCommand command, CancellationToken cancellationToken) =>
        ReplyFormatter.Format(command, await connection.ExecuteAsync(command, cancellationToken).ConfigureAwait(false),
            OutputStyle.Interactive, time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>An answer, then the blank line that separates it from the next prompt.</summary>
    private void Answer(string text)
    {
        output.WriteLine(text);
        output.WriteLine();
    }

    /// <summary>Connection news, on the error stream, after whatever the dialogue has written so far.</summary>
    private void Report(string text)
    {
        output.Flush();
        error.WriteLine(text);
        error.Flush();
    }
}
