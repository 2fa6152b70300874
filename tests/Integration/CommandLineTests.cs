using System.Globalization;
using System.Text.RegularExpressions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The published <c>commandline</c> binary against a published worker (the orchestrator speaks the same protocol):
/// the seed README's transcript word for word, the one-shot form and its exit codes, and the messages for a
/// missing key, an unknown command and a cluster that cannot be reached.
/// </summary>
public sealed class CommandLineTests
{
    /// <summary>The seed README's CLI transcript, word for word (the commands show because the CLI echoes piped input).</summary>
    public const string ReadmeTranscript = """
        Type a command:
         1. set <key> <value>
         2. get <key>
         3. quit

        >>> set name tanson
        Success

        >>> get name
        Response (0): 'tanson'
        """;

    private const string Menu = "Type a command:\n 1. set <key> <value>\n 2. get <key>\n 3. quit\n\n";

    /// <summary>How long a CLI may take to finish before the test calls it hung (a guard, not a measurement).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Types the README's dialogue (set name tanson, get name, quit) into <c>commandline 127.0.0.1 &lt;port&gt;</c>
    /// and checks every character it prints. For a worker here; for an orchestrator in the cluster tests.
    /// </summary>
    internal static void ReplayReadmeTranscript(int port)
    {
        using HostProcess cli = StartCli(port);
        cli.WriteLine("set name tanson");
        cli.WriteLine("get name");
        cli.WriteLine("quit");
        (int code, string output) = RunToEnd(cli);
        Assert.Equal(ReadmeTranscript + "\n\n>>> quit\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public void The_readme_transcript_word_for_word()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        ReplayReadmeTranscript(port);
    }

    [Fact]
    public void End_of_input_is_quit()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        using HostProcess cli = StartCli(port);
        cli.WriteLine("set name tanson");
        cli.CloseInput();
        Assert.Equal((0, Menu + ">>> set name tanson\nSuccess\n\n>>> \n"), RunToEnd(cli));
    }

    [Fact]
    public void A_missing_key_an_unknown_command_and_the_added_commands_interactively()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        using HostProcess cli = StartCli(port);
        var since = System.Diagnostics.Stopwatch.StartNew(); // the set below comes later: its 600 s have run for less
        foreach (string line in new[]
        {
            "get name", "foo bar", "get", "set greeting \"hello world\" 600", "get greeting", "ttl greeting", "ttl missing",
            "incr hits", "incr hits 41", "decr hits 2", "incr greeting", "del greeting", "del greeting", "help", "quit",
        })
        {
            cli.WriteLine(line);
        }
        (int code, string output) = RunToEnd(cli);
        double elapsed = since.Elapsed.TotalSeconds;
        Assert.StartsWith(Menu
            + ">>> get name\nNot found: 'name'\n\n"
            + ">>> foo bar\nUnknown command 'foo'. Type help for the list.\n\n"
            + ">>> get\nUsage: get <key>\n\n"
            + ">>> set greeting \"hello world\" 600\nSuccess\n\n"
            + ">>> get greeting\nResponse (0): 'hello world'\n\n"
            + ">>> ttl greeting\n", output, StringComparison.Ordinal);
        // Seconds left round up, so 600 until a second has passed since the set; never more, and no fewer than the
        // whole dialogue's time allows.
        Match ttl = Regex.Match(output, @"\n>>> ttl greeting\n(\d+) seconds left\n\n>>> ttl missing\n");
        Assert.True(ttl.Success, output);
        Assert.InRange(int.Parse(ttl.Groups[1].Value, CultureInfo.InvariantCulture), 600 - (int)Math.Ceiling(elapsed), 600);
        Assert.Contains("\n>>> ttl missing\nNot found: 'missing'\n\n"
            + ">>> incr hits\n1\n\n"
            + ">>> incr hits 41\n42\n\n"
            + ">>> decr hits 2\n40\n\n"
            + ">>> incr greeting\nNot a number: 'greeting' does not hold a 64-bit whole number\n\n"
            + ">>> del greeting\nDeleted\n\n"
            + ">>> del greeting\nNot found: 'greeting'\n\n"
            + ">>> help\nCommands:\n", output, StringComparison.Ordinal);
        Assert.EndsWith("\n\n>>> quit\n", output, StringComparison.Ordinal);
        Assert.Equal(0, code);
    }

    [Fact]
    public void One_shot_prints_just_the_result_and_exits_0()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal((0, "Success\n"), RunOnce(port, "set", "name", "tanson"));
        Assert.Equal((0, "tanson\n"), RunOnce(port, "get", "name"));
        Assert.Equal((0, "Success\n"), RunOnce(port, "set", "greeting", "hello world", "600"));
        Assert.Equal((0, "hello world\n"), RunOnce(port, "get", "greeting"));
        Assert.Equal((0, "no expiry\n"), RunOnce(port, "ttl", "name"));
        Assert.Equal((0, "-5\n"), RunOnce(port, "incr", "hits", "-5"));
        Assert.Equal((0, "Deleted\n"), RunOnce(port, "del", "name"));
    }

    [Fact]
    public void One_shot_exits_1_for_a_missing_key()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal((1, "Not found: 'name'\n"), RunOnce(port, "get", "name"));
        Assert.Equal((1, "Not found: 'name'\n"), RunOnce(port, "del", "name"));
    }

    [Fact]
    public void One_shot_exits_2_for_a_bad_command_line()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal((2, "Unknown command 'foo'. Type help for the list.\n"), RunOnce(port, "foo"));
        Assert.Equal((2, "Usage: get <key>\n"), RunOnce(port, "get"));
        (int code, string output) = Run("127.0.0.1", "notaport", "get", "name");
        Assert.Equal(2, code);
        Assert.StartsWith("commandline: <orchestrator port> must be a port number from 1 to 65535, not 'notaport'\nusage: commandline",
            output, StringComparison.Ordinal);
    }

    [Fact]
    public void One_shot_exits_3_when_the_cluster_cannot_be_reached()
    {
        int port = HostProcess.FreePort();
        Assert.Equal((3, $"Cannot reach the cluster at 127.0.0.1:{port}: Connection refused\n"), RunOnce(port, "get", "name"));
    }

    [Fact]
    public void One_shot_exits_4_for_a_server_error()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        Assert.Equal((0, "Success\n"), RunOnce(port, "set", "text", "abc"));
        Assert.Equal((4, "Not a number: 'text' does not hold a 64-bit whole number\n"), RunOnce(port, "incr", "text"));
    }

    [Fact]
    public void Help_documents_the_one_shot_form_and_every_exit_code()
    {
        (int code, string output) = Run("--help");
        Assert.Equal(0, code);
        Assert.StartsWith("usage: commandline <orchestrator ip> <orchestrator port> [--password <password>] [command [arguments]]\n", output,
            StringComparison.Ordinal);
        foreach (string line in new[]
        {
            "  0  success", "  1  not found", "  2  usage error", "  3  cannot reach the cluster", "  4  the server answered with an error",
            "  5  the server requires a password", "environment variable, which keeps it out of ps",
            "  set <key> <value> [ttl seconds]", "  del <key>", "  ttl <key>", "  incr <key> [delta]",
        })
        {
            Assert.Contains("\n" + line, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_dialogue_exits_3_when_the_cluster_cannot_be_reached()
    {
        int port = HostProcess.FreePort();
        using HostProcess cli = StartCli(port);
        Assert.Equal((3, $"Cannot reach the cluster at 127.0.0.1:{port}: Connection refused\n"), RunToEnd(cli));
    }

    [Fact]
    public void The_dialogue_exits_3_when_the_connection_drops_and_cannot_be_reopened()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        using HostProcess cli = StartCli(port);
        cli.WriteLine("set name tanson");
        cli.WaitForOutput("Success");
        worker.Kill();
        cli.WriteLine("get name");
        (int code, string output) = RunToEnd(cli);
        Assert.Contains($"\nLost the connection to the cluster at 127.0.0.1:{port}: ", output, StringComparison.Ordinal);
        Assert.Contains($"\nCannot reach the cluster at 127.0.0.1:{port}: Connection refused\n", output, StringComparison.Ordinal);
        Assert.Equal(3, code);
    }

    [Fact]
    public void The_dialogue_reconnects_once_when_the_cluster_comes_back()
    {
        int port;
        using (HostProcess first = HostProcess.StartWorker(out port))
        {
            using HostProcess cli = StartCli(port);
            cli.WriteLine("set name tanson");
            cli.WaitForOutput("Success");
            first.Kill();
            using HostProcess second = HostProcess.Start("worker", port.ToString(CultureInfo.InvariantCulture));
            second.WaitForPort(port);

            cli.WriteLine("get name"); // the restarted worker is empty
            cli.WriteLine("set name back");
            cli.WriteLine("get name");
            cli.WriteLine("quit");
            (int code, _) = RunToEnd(cli);
            // Connection news goes to standard error, answers to standard output: each stream is checked on its
            // own, since lines of the two arrive through two pipes in no fixed order.
            Assert.StartsWith($"Lost the connection to the cluster at 127.0.0.1:{port}: ", cli.StandardError, StringComparison.Ordinal);
            Assert.EndsWith($"\nReconnected to 127.0.0.1:{port}\n", cli.StandardError, StringComparison.Ordinal);
            // Which command first meets the dead connection depends on when the client notices it: either way the
            // restarted worker answers not found, the new value is stored, and the dialogue ends consistently.
            string answers = cli.StandardOutput;
            Assert.Contains("Not found: 'name'\n", answers, StringComparison.Ordinal);
            Assert.EndsWith("Success\n\n>>> get name\nResponse (0): 'back'\n\n>>> quit\n", answers, StringComparison.Ordinal);
            Assert.Equal(0, code);
        }
    }

    private static HostProcess StartCli(int port, params string[] command) =>
        HostProcess.Start("commandline", ["127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. command]);

    private static (int Code, string Output) RunOnce(int port, params string[] command)
    {
        using HostProcess cli = StartCli(port, command);
        return RunToEnd(cli);
    }

    private static (int Code, string Output) Run(params string[] arguments)
    {
        using HostProcess cli = HostProcess.Start("commandline", arguments);
        return RunToEnd(cli);
    }

    /// <summary>Waits for the CLI to exit; its exit code and everything it printed (standard output and error).</summary>
    private static (int Code, string Output) RunToEnd(HostProcess cli)
    {
        Assert.True(cli.WaitForExit(Patience), $"commandline did not exit:\n{cli.Output}");
        return (cli.ExitCode, cli.Output);
    }
}
