using EchoCache.CommandLine;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.CommandLine;

/// <summary>The one-shot form: just the result on standard output, messages on standard error, and the exit codes.</summary>
public sealed class OneShotCommandTests
{
    private readonly FixedClock _clock = new(1_800_000_000_000);
    private readonly FakeConnection _connection;

    public OneShotCommandTests() => _connection = new FakeConnection(_clock);

    private async Task<(int Code, string Output, string Error)> Run(params string[] words)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        int code = await OneShotCommand.RunAsync(_connection, words, output, error, _clock);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Set_prints_Success_and_get_prints_just_the_value()
    {
        Assert.Equal((0, "Success\n", ""), await Run("set", "name", "tanson"));
        Assert.Equal((0, "tanson\n", ""), await Run("get", "name"));
    }

    [Fact]
    public async Task Words_come_from_the_shell_unquoted()
    {
        Assert.Equal((0, "Success\n", ""), await Run("set", "greeting", "hello \"world\"", "60"));
        Assert.Equal((0, "hello \"world\"\n", ""), await Run("get", "greeting"));
        Assert.Equal((0, "60\n", ""), await Run("ttl", "greeting"));
    }

    [Fact]
    public async Task Del_ttl_incr_and_decr()
    {
        _connection.Put("name", "tanson");
        Assert.Equal((0, "no expiry\n", ""), await Run("ttl", "name"));
        Assert.Equal((0, "Deleted\n", ""), await Run("del", "name"));
        Assert.Equal((0, "5\n", ""), await Run("incr", "hits", "5"));
        Assert.Equal((0, "-1\n", ""), await Run("decr", "hits", "6"));
    }

    [Theory]
    [InlineData("get")]
    [InlineData("del")]
    [InlineData("ttl")]
    public async Task A_missing_key_exits_with_1(string command) =>
        Assert.Equal((ExitCodes.NotFound, "", "Not found: 'name'\n"), await Run(command, "name"));

    [Fact]
    public async Task A_bad_command_exits_with_2_without_connecting()
    {
        Assert.Equal((ExitCodes.Usage, "", "Unknown command 'foo'. Type help for the list.\n"), await Run("foo", "bar"));
        Assert.Equal((ExitCodes.Usage, "", "Usage: get <key>\n"), await Run("get"));
        Assert.Equal(ExitCodes.Usage, (await Run("set", "k", "v", "soon")).Code);
        Assert.Equal(0, _connection.Connects);
    }

    [Fact]
    public async Task An_unreachable_cluster_exits_with_3()
    {
        _connection.RefuseConnect = _ => "Connection refused";
        Assert.Equal((ExitCodes.Unreachable, "", "Cannot reach the cluster at 127.0.0.1:8000: Connection refused\n"),
            await Run("get", "name"));
    }

    [Fact]
    public async Task A_connection_lost_before_the_reply_exits_with_3()
    {
        _connection.LostReplies.Enqueue("the server closed the connection");
        Assert.Equal((ExitCodes.Unreachable, "", "Lost the connection to the cluster at 127.0.0.1:8000: the server closed the connection\n"),
            await Run("set", "a", "b"));
    }

    [Fact]
    public async Task Unavailable_and_other_server_errors_exit_with_4()
    {
        _connection.ForcedStatus = BinaryStatus.Unavailable;
        Assert.Equal((ExitCodes.ServerError, "", "Unavailable: no live replica holds this key; try again later\n"), await Run("get", "name"));
        _connection.ForcedStatus = BinaryStatus.Ok;
        _connection.Put("text", "abc");
        Assert.Equal((ExitCodes.ServerError, "", "Not a number: 'text' does not hold a 64-bit whole number\n"), await Run("incr", "text"));
    }

    [Fact]
    public async Task Help_and_quit_need_no_cluster()
    {
        _connection.RefuseConnect = _ => "Connection refused";
        Assert.Equal((0, CommandHelp.Commands + "\n", ""), await Run("help"));
        Assert.Equal((0, "", ""), await Run("quit"));
    }
}
