using EchoCache.CommandLine;
using EchoCache.Net.Hosting;

namespace EchoCache.Tests.CommandLine;

/// <summary><c>commandline &lt;orchestrator ip&gt; &lt;orchestrator port&gt; [command]</c>.</summary>
public sealed class CliArgumentsTests
{
    [Fact]
    public void The_original_command_line_starts_the_dialogue()
    {
        CliArguments parsed = CliArguments.Parse(["127.0.0.1", "8000"]);
        Assert.Equal(("127.0.0.1", 8000, false), (parsed.Host, parsed.Port, parsed.ShowHelp));
        Assert.Empty(parsed.Command);
    }

    [Fact]
    public void Words_after_the_port_are_the_one_shot_command_even_when_they_start_with_a_dash() =>
        Assert.Equal(["incr", "hits", "-5"], CliArguments.Parse(["localhost", "8000", "incr", "hits", "-5"]).Command);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help(string option)
    {
        Assert.True(CliArguments.Parse([option]).ShowHelp);
        Assert.True(CliArguments.Parse(["127.0.0.1", "8000", option]).ShowHelp);
        Assert.True(CliArguments.Parse(["127.0.0.1", "8000", "--password", "pw", option]).ShowHelp);
    }

    [Fact]
    public void A_password_may_come_before_or_after_the_address_but_before_the_command()
    {
        Assert.Equal(("127.0.0.1", 8000, "pw", "get|k"), Parse(["127.0.0.1", "8000", "--password", "pw", "get", "k"]));
        Assert.Equal(("127.0.0.1", 8000, "pw", "get|k"), Parse(["--password=pw", "127.0.0.1", "8000", "get", "k"]));
        Assert.Equal(("127.0.0.1", 8000, "p w", ""), Parse(["127.0.0.1", "--password", "p w", "8000"]));
        // After the command starts, --password is the command's own word.
        Assert.Equal(("127.0.0.1", 8000, null, "set|k|--password"), Parse(["127.0.0.1", "8000", "set", "k", "--password"]));
    }

    [Fact]
    public void The_environment_gives_the_password_when_the_option_does_not()
    {
        Assert.Equal("env", CliArguments.Parse(["127.0.0.1", "8000"], "env").Password);
        Assert.Equal("option", CliArguments.Parse(["127.0.0.1", "8000", "--password", "option"], "env").Password);
        Assert.Null(CliArguments.Parse(["127.0.0.1", "8000"], "").Password);
        Assert.Null(CliArguments.Parse(["127.0.0.1", "8000"]).Password);
    }

    /// <summary>Host, port, password, and the command's words joined by '|'.</summary>
    private static (string, int, string?, string) Parse(string[] args)
    {
        CliArguments parsed = CliArguments.Parse(args);
        return (parsed.Host, parsed.Port, parsed.Password, string.Join('|', parsed.Command));
    }

    [Theory]
    [InlineData("missing <orchestrator ip> and <orchestrator port>")]
    [InlineData("missing <orchestrator port>", "127.0.0.1")]
    [InlineData("<orchestrator port> must be a port number from 1 to 65535, not 'x'", "127.0.0.1", "x")]
    [InlineData("<orchestrator port> must be a port number from 1 to 65535, not '0'", "127.0.0.1", "0")]
    [InlineData("unknown option --verbose", "--verbose", "8000")]
    [InlineData("<orchestrator ip> is empty", "", "8000")]
    [InlineData("option --password needs a value", "127.0.0.1", "8000", "--password")]
    [InlineData("--password is empty", "127.0.0.1", "8000", "--password", "")]
    [InlineData("missing <orchestrator port>", "--password", "pw", "127.0.0.1")]
    public void Mistakes_are_usage_errors(string message, params string[] args) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => CliArguments.Parse(args)).Message);
}
