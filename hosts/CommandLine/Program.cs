using EchoCache.Net.Hosting;

namespace EchoCache.CommandLine;

/// <summary>
/// <c>commandline &lt;orchestrator ip&gt; &lt;orchestrator port&gt; [command]</c>: the interactive dialogue of the
/// original README, or one command for a script. See <see cref="CommandHelp.Usage"/> and docs/operations.md.
/// </summary>
internal static class Program
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private static async Task<int> Main(string[] args)
    {
        CliArguments parsed;
        try
        {
            parsed = CliArguments.Parse(args, Environment.GetEnvironmentVariable(AccessArguments.PasswordVariable));
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"commandline: {e.Message}");
            Console.Error.WriteLine(CommandHelp.ShortUsage);
            return ExitCodes.Usage;
        }
        if (parsed.ShowHelp)
        {
            Console.Out.WriteLine(CommandHelp.Usage);
            return ExitCodes.Success;
        }

        await using var connection = new ClusterConnection(parsed.Host, parsed.Port, parsed.Password, ConnectTimeout, ReplyTimeout);
        if (parsed.Command.Count > 0)
        {
            return await OneShotCommand.RunAsync(connection, parsed.Command, Console.Out, Console.Error, TimeProvider.System);
        }
        var session = new InteractiveSession(connection, Console.In, Console.Out, Console.Error,
            echoInput: Console.IsInputRedirected, TimeProvider.System);
        return await session.RunAsync();
    }
}
