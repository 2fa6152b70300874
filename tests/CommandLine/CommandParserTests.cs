using EchoCache.CommandLine;

namespace EchoCache.Tests.CommandLine;

/// <summary>From a line to a command, or to the message that says what is wrong.</summary>
public sealed class CommandParserTests
{
    private static CliCommand Command(string line)
    {
        ParseResult result = CommandParser.ParseLine(line);
        Assert.True(result.Command != null, $"'{line}' did not parse: {result.Error}");
        return result.Command;
    }

    private static string Error(string line)
    {
        ParseResult result = CommandParser.ParseLine(line);
        Assert.Null(result.Command);
        Assert.NotNull(result.Error);
        return result.Error;
    }

    [Fact]
    public void The_original_commands()
    {
        Assert.Equal(new CliCommand(CliCommandKind.Set, "name", "tanson"), Command("set name tanson"));
        Assert.Equal(new CliCommand(CliCommandKind.Get, "name"), Command("get name"));
        Assert.Equal(new CliCommand(CliCommandKind.Quit), Command("quit"));
    }

    [Fact]
    public void Set_takes_an_optional_ttl_in_seconds()
    {
        Assert.Equal(new CliCommand(CliCommandKind.Set, "name", "tanson", TimeSpan.FromSeconds(60)), Command("set name tanson 60"));
        Assert.Equal(TimeSpan.FromSeconds(CommandHelp.MaxTimeToLiveSeconds),
            Command($"set k v {CommandHelp.MaxTimeToLiveSeconds}").TimeToLive);
    }

    [Fact]
    public void Set_takes_a_quoted_value_with_spaces() =>
        Assert.Equal(new CliCommand(CliCommandKind.Set, "greeting", "hello world", TimeSpan.FromSeconds(5)),
            Command("set greeting \"hello world\" 5"));

    [Fact]
    public void Set_takes_an_empty_value() => Assert.Equal("", Command("set k ''").Value);

    [Theory]
    [InlineData("set k v 0")]
    [InlineData("set k v -5")]
    [InlineData("set k v 1.5")]
    [InlineData("set k v 315360001")]
    [InlineData("set k hello world")]
    public void A_bad_ttl_is_explained_with_the_usage_and_the_quoting_hint(string line)
    {
        string error = Error(line);
        Assert.StartsWith("Usage: set <key> <value> [ttl seconds] ('", error, StringComparison.Ordinal);
        Assert.Contains("is not a ttl in whole seconds from 1 to 315360000", error, StringComparison.Ordinal);
        Assert.Contains("set greeting \"hello world\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("set")]
    [InlineData("set name")]
    [InlineData("set a b 5 extra")]
    public void Set_with_the_wrong_number_of_arguments_shows_its_usage(string line) =>
        Assert.Equal("Usage: set <key> <value> [ttl seconds] (quote a value with spaces: set greeting \"hello world\")", Error(line));

    [Fact]
    public void Get_del_and_ttl_take_exactly_one_key()
    {
        Assert.Equal(new CliCommand(CliCommandKind.Delete, "name"), Command("del name"));
        Assert.Equal(new CliCommand(CliCommandKind.TimeToLive, "name"), Command("ttl name"));
        Assert.Equal("Usage: get <key>", Error("get"));
        Assert.Equal("Usage: get <key>", Error("get a b"));
        Assert.Equal("Usage: del <key>", Error("del"));
        Assert.Equal("Usage: ttl <key>", Error("ttl a b"));
    }

    [Fact]
    public void Incr_and_decr_take_an_optional_signed_delta()
    {
        Assert.Equal(new CliCommand(CliCommandKind.Increment, "hits", Delta: 1), Command("incr hits"));
        Assert.Equal(new CliCommand(CliCommandKind.Increment, "hits", Delta: -5), Command("incr hits -5"));
        Assert.Equal(new CliCommand(CliCommandKind.Decrement, "hits", Delta: -1), Command("decr hits"));
        Assert.Equal(new CliCommand(CliCommandKind.Decrement, "hits", Delta: 3), Command("decr hits -3"));
        Assert.Equal(long.MinValue, Command("incr hits -9223372036854775808").Delta);
        Assert.Equal(-long.MaxValue, Command("decr hits 9223372036854775807").Delta);
    }

    [Theory]
    [InlineData("incr", "Usage: incr <key> [delta]")]
    [InlineData("incr a 1 2", "Usage: incr <key> [delta]")]
    [InlineData("incr a x", "Usage: incr <key> [delta] ('x' is not a whole number from -9223372036854775808 to 9223372036854775807)")]
    [InlineData("incr a 9223372036854775808", "Usage: incr <key> [delta] ('9223372036854775808' is not a whole number from -9223372036854775808 to 9223372036854775807)")]
    [InlineData("decr a -9223372036854775808", "Usage: decr <key> [delta] ('-9223372036854775808' is not a whole number from -9223372036854775807 to 9223372036854775807)")]
    public void A_bad_counter_command_shows_its_usage(string line, string message) => Assert.Equal(message, Error(line));

    [Fact]
    public void Command_names_ignore_case_and_keys_keep_it()
    {
        Assert.Equal(new CliCommand(CliCommandKind.Set, "Name", "Tanson"), Command("SET Name Tanson"));
        Assert.Equal(new CliCommand(CliCommandKind.Get, "Name"), Command("Get Name"));
    }

    [Fact]
    public void Help_quit_and_exit()
    {
        Assert.Equal(CliCommandKind.Help, Command("help").Kind);
        Assert.Equal(CliCommandKind.Quit, Command("exit").Kind);
        Assert.Equal(CliCommandKind.Quit, Command(" QUIT ").Kind);
    }

    [Fact]
    public void An_unknown_command_names_itself_and_points_to_help()
    {
        Assert.Equal("Unknown command 'foo'. Type help for the list.", Error("foo"));
        Assert.Equal("Unknown command 'foo'. Type help for the list.", Error("foo bar baz"));
    }

    [Fact]
    public void A_blank_line_is_neither_a_command_nor_an_error()
    {
        Assert.True(CommandParser.ParseLine("").IsEmpty);
        Assert.True(CommandParser.ParseLine("   ").IsEmpty);
        Assert.True(CommandParser.Parse([]).IsEmpty);
    }

    [Fact]
    public void An_unterminated_quote_is_reported() =>
        Assert.StartsWith("Unterminated \" quote", Error("set k \"v"), StringComparison.Ordinal);

    [Fact]
    public void Keys_must_have_1_to_250_bytes()
    {
        Assert.Equal("The key is empty: a key has 1 to 250 bytes.", Error("get \"\""));
        Assert.Equal(new string('k', 250), Command("get " + new string('k', 250)).Key);
        Assert.Equal("The key has 251 bytes: a key has 1 to 250 bytes.", Error("set " + new string('k', 251) + " v"));
        // 126 two-byte characters: 252 bytes in UTF-8, which is what travels.
        Assert.Equal("The key has 252 bytes: a key has 1 to 250 bytes.", Error("incr " + new string('é', 126)));
    }

    [Fact]
    public void Words_from_the_shell_are_taken_as_they_are() =>
        Assert.Equal(new CliCommand(CliCommandKind.Set, "greeting", "say \"hi\" 'there'"),
            CommandParser.Parse(["set", "greeting", "say \"hi\" 'there'"]).Command);

    [Fact]
    public void Safe_to_repeat_after_a_dropped_connection_is_every_command_but_incr_and_decr()
    {
        Assert.True(Command("set a b").IsSafeToRepeat);
        Assert.True(Command("get a").IsSafeToRepeat);
        Assert.True(Command("del a").IsSafeToRepeat);
        Assert.True(Command("ttl a").IsSafeToRepeat);
        Assert.False(Command("incr a").IsSafeToRepeat);
        Assert.False(Command("decr a").IsSafeToRepeat);
    }
}
