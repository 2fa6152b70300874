using EchoCache.CommandLine;
using EchoCache.Net.Protocol;
using EchoCache.Tests.Integration;

namespace EchoCache.Tests.CommandLine;

/// <summary>The dialogue, driven through an in-memory cluster: the exact text a person sees.</summary>
public sealed class InteractiveSessionTests
{
    private const string Menu = "Type a command:\n 1. set <key> <value>\n 2. get <key>\n 3. quit\n\n";

    private readonly FixedClock _clock = new(1_800_000_000_000);
    private readonly FakeConnection _connection;

    public InteractiveSessionTests() => _connection = new FakeConnection(_clock);

    private async Task<(int Code, string Output, string Error)> Run(string input, bool echo = true)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var session = new InteractiveSession(_connection, new StringReader(input), output, error, echo, _clock);
        int code = await session.RunAsync();
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_readme_transcript_word_for_word()
    {
        (int code, string output, string error) = await Run("set name tanson\nget name\nquit\n");
        Assert.Equal(CommandLineTests.ReadmeTranscript + "\n\n>>> quit\n", output);
        Assert.Equal("", error);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task At_a_terminal_the_input_is_not_echoed()
    {
        (int code, string output, _) = await Run("set name tanson\nget name\nquit\n", echo: false);
        Assert.Equal(Menu + ">>> Success\n\n>>> Response (0): 'tanson'\n\n>>> ", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task End_of_input_is_quit()
    {
        (int code, string output, _) = await Run("set name tanson\n");
        Assert.Equal(Menu + ">>> set name tanson\nSuccess\n\n>>> \n", output);
        Assert.Equal(0, code);
        Assert.Equal("tanson", _connection.Peek("name"));
    }

    [Fact]
    public async Task Blank_lines_prompt_again()
    {
        (_, string output, _) = await Run("\n  \nquit\n");
        Assert.Equal(Menu + ">>> \n>>>   \n>>> quit\n", output);
    }

    [Fact]
    public async Task The_added_commands()
    {
        (int code, string output, _) = await Run(
            "set greeting \"hello world\" 60\nget greeting\nttl greeting\nset plain v\nttl plain\nincr hits\nincr hits 9\ndecr hits 3\ndel greeting\nget greeting\nquit\n");
        Assert.Equal(Menu
            + ">>> set greeting \"hello world\" 60\nSuccess\n\n"
            + ">>> get greeting\nResponse (0): 'hello world'\n\n"
            + ">>> ttl greeting\n60 seconds left\n\n"
            + ">>> set plain v\nSuccess\n\n"
            + ">>> ttl plain\nno expiry\n\n"
            + ">>> incr hits\n1\n\n"
            + ">>> incr hits 9\n10\n\n"
            + ">>> decr hits 3\n7\n\n"
            + ">>> del greeting\nDeleted\n\n"
            + ">>> get greeting\nNot found: 'greeting'\n\n"
            + ">>> quit\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        (_, string output, _) = await Run("help\n");
        Assert.Equal(Menu + ">>> help\n" + CommandHelp.Commands + "\n\n>>> \n", output);
        foreach (string usage in new[] { "set <key> <value> [ttl seconds]", "get <key>", "del <key>", "ttl <key>", "incr <key> [delta]", "decr <key> [delta]", "help", "quit" })
        {
            Assert.Contains("\n  " + usage + " ", CommandHelp.Commands, StringComparison.Ordinal);
        }
        Assert.Contains("set greeting \"hello world\"", CommandHelp.Commands, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistakes_are_answered_and_the_dialogue_goes_on()
    {
        (int code, string output, _) = await Run("foo bar\nget\nset k \"v\nget missing\nquit\n");
        Assert.Equal(Menu
            + ">>> foo bar\nUnknown command 'foo'. Type help for the list.\n\n"
            + ">>> get\nUsage: get <key>\n\n"
            + ">>> set k \"v\nUnterminated \" quote: close it, e.g. set greeting \"hello world\"\n\n"
            + ">>> get missing\nNot found: 'missing'\n\n"
            + ">>> quit\n", output);
        Assert.Equal(0, code);
        Assert.DoesNotContain(_connection.Received, c => c.Kind == CliCommandKind.Set);
    }

    [Fact]
    public async Task Server_errors_are_answered_in_plain_words()
    {
        _connection.ForcedStatus = BinaryStatus.Unavailable;
        (int code, string output, _) = await Run("get name\nquit\n");
        Assert.Equal(Menu + ">>> get name\nUnavailable: no live replica holds this key; try again later\n\n>>> quit\n", output);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task An_unreachable_cluster_at_the_start_ends_with_exit_code_3_before_the_menu()
    {
        _connection.RefuseConnect = _ => "Connection refused";
        (int code, string output, string error) = await Run("get name\n");
        Assert.Equal("", output);
        Assert.Equal("Cannot reach the cluster at 127.0.0.1:8000: Connection refused\n", error);
        Assert.Equal(ExitCodes.Unreachable, code);
    }

    [Fact]
    public async Task A_dropped_connection_is_reopened_once_and_a_read_sent_again()
    {
        _connection.Put("name", "tanson");
        _connection.LostReplies.Enqueue("the server closed the connection");
        (int code, string output, string error) = await Run("get name\nquit\n");
        Assert.Equal(Menu + ">>> get name\nResponse (0): 'tanson'\n\n>>> quit\n", output);
        Assert.Equal("Lost the connection to the cluster at 127.0.0.1:8000: the server closed the connection; reconnecting\n"
            + "Reconnected to 127.0.0.1:8000\n", error);
        Assert.Equal(2, _connection.Connects);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task After_a_reconnect_incr_is_not_sent_again()
    {
        _connection.LostReplies.Enqueue("the server closed the connection");
        (int code, string output, _) = await Run("incr hits\nget hits\nquit\n");
        Assert.Equal(Menu
            + ">>> incr hits\nNot sent again: the first incr may or may not have been applied; check with get hits\n\n"
            + ">>> get hits\nResponse (0): '1'\n\n"
            + ">>> quit\n", output);
        Assert.Single(_connection.Received, c => c.Kind == CliCommandKind.Increment);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task When_the_reconnect_fails_the_dialogue_ends_with_exit_code_3()
    {
        _connection.LostReplies.Enqueue("the server closed the connection");
        _connection.RefuseConnect = attempt => attempt > 1 ? "Connection refused" : null;
        (int code, string output, string error) = await Run("set a b\nget a\nquit\n");
        Assert.Equal(Menu + ">>> set a b\n", output);
        Assert.Equal("Lost the connection to the cluster at 127.0.0.1:8000: the server closed the connection; reconnecting\n"
            + "Cannot reach the cluster at 127.0.0.1:8000: Connection refused\n", error);
        Assert.Equal(ExitCodes.Unreachable, code);
    }

    [Fact]
    public async Task When_the_retried_command_loses_the_connection_again_the_dialogue_ends_with_exit_code_3()
    {
        _connection.LostReplies.Enqueue("the server closed the connection");
        _connection.LostReplies.Enqueue("the server closed the connection again");
        (int code, _, string error) = await Run("get a\nquit\n");
        Assert.EndsWith("Reconnected to 127.0.0.1:8000\n"
            + "Lost the connection to the cluster at 127.0.0.1:8000: the server closed the connection again\n", error);
        Assert.Equal(ExitCodes.Unreachable, code);
    }
}
