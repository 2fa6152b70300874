using System.Buffers.Binary;
using System.Text;
using EchoCache.CommandLine;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.CommandLine;

/// <summary>From a server reply to the words shown and the exit code.</summary>
public sealed class ReplyFormatterTests
{
    private const long Now = 1_800_000_000_000;

    private static CommandOutcome Format(string line, EchoReply reply, OutputStyle style = OutputStyle.Interactive) =>
        ReplyFormatter.Format(CommandParser.ParseLine(line).Command!, reply, style, Now);

    private static EchoReply Reply(BinaryStatus status, string value = "", long expiry = 0) =>
        new() { Status = status, Value = Encoding.UTF8.GetBytes(value), Expiry = expiry };

    private static EchoReply Counter(long value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return new EchoReply { Status = BinaryStatus.Ok, Value = bytes };
    }

    [Fact]
    public void The_original_answers()
    {
        Assert.Equal(new CommandOutcome("Success", 0), Format("set name tanson", Reply(BinaryStatus.Ok)));
        Assert.Equal(new CommandOutcome("Response (0): 'tanson'", 0), Format("get name", Reply(BinaryStatus.Ok, "tanson")));
    }

    [Fact]
    public void A_script_gets_just_the_result()
    {
        Assert.Equal(new CommandOutcome("Success", 0), Format("set name tanson", Reply(BinaryStatus.Ok), OutputStyle.Script));
        Assert.Equal(new CommandOutcome("tanson", 0), Format("get name", Reply(BinaryStatus.Ok, "tanson"), OutputStyle.Script));
        Assert.Equal(new CommandOutcome("hello world", 0), Format("get g", Reply(BinaryStatus.Ok, "hello world"), OutputStyle.Script));
        Assert.Equal(new CommandOutcome("", 0), Format("get g", Reply(BinaryStatus.Ok), OutputStyle.Script));
    }

    [Fact]
    public void Delete_and_counters()
    {
        Assert.Equal(new CommandOutcome("Deleted", 0), Format("del name", Reply(BinaryStatus.Ok)));
        Assert.Equal(new CommandOutcome("42", 0), Format("incr hits", Counter(42)));
        Assert.Equal(new CommandOutcome("-7", 0), Format("decr hits 3", Counter(-7), OutputStyle.Script));
    }

    [Fact]
    public void A_counter_reply_of_the_wrong_size_is_a_server_error() =>
        Assert.Equal(ExitCodes.ServerError, Format("incr hits", Reply(BinaryStatus.Ok, "42")).ExitCode);

    [Fact]
    public void Ttl_counts_seconds_left_rounding_up()
    {
        Assert.Equal(new CommandOutcome("60 seconds left", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v", Now + 60_000)));
        Assert.Equal(new CommandOutcome("60 seconds left", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v", Now + 59_001)));
        Assert.Equal(new CommandOutcome("1 second left", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v", Now + 1)));
        // The server still had it, so it is not shown as expired even if the clocks disagree a little.
        Assert.Equal(new CommandOutcome("1 second left", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v", Now - 500)));
        Assert.Equal(new CommandOutcome("60", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v", Now + 60_000), OutputStyle.Script));
    }

    [Fact]
    public void Ttl_of_a_key_without_expiry()
    {
        Assert.Equal(new CommandOutcome("no expiry", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v")));
        Assert.Equal(new CommandOutcome("no expiry", 0), Format("ttl k", Reply(BinaryStatus.Ok, "v"), OutputStyle.Script));
    }

    [Theory]
    [InlineData("get name")]
    [InlineData("del name")]
    [InlineData("ttl name")]
    public void A_missing_key_is_not_found_with_exit_code_1(string line) =>
        Assert.Equal(new CommandOutcome("Not found: 'name'", ExitCodes.NotFound), Format(line, Reply(BinaryStatus.NotFound)));

    [Fact]
    public void Unavailable_says_to_try_again_later() =>
        Assert.Equal(new CommandOutcome("Unavailable: no live replica holds this key; try again later", ExitCodes.ServerError),
            Format("get name", Reply(BinaryStatus.Unavailable, "both replicas down")));

    [Fact]
    public void Counter_errors_in_plain_words()
    {
        Assert.Equal(new CommandOutcome("Not a number: 'name' does not hold a 64-bit whole number", ExitCodes.ServerError),
            Format("incr name", Reply(BinaryStatus.NotANumber, "value is not a 64-bit integer")));
        Assert.Equal(new CommandOutcome("Overflow: the result would not fit in 64 bits; 'n' is unchanged", ExitCodes.ServerError),
            Format("incr n 5", Reply(BinaryStatus.Overflow)));
    }

    [Fact]
    public void Other_errors_in_plain_words_with_the_servers_reason()
    {
        Assert.Equal(new CommandOutcome("Too large: a key has at most 250 bytes and a stored item at most 1 MiB (server: item too large)",
            ExitCodes.ServerError), Format("set k v", Reply(BinaryStatus.TooLarge, "item too large")));
        Assert.Equal(new CommandOutcome("Busy: the server is overloaded or could not free memory; try again later", ExitCodes.ServerError),
            Format("set k v", Reply(BinaryStatus.Busy)));
        Assert.Equal(new CommandOutcome("Bad request: the server refused the request (server: invalid expiry)", ExitCodes.ServerError),
            Format("set k v 5", Reply(BinaryStatus.BadRequest, "invalid expiry")));
        Assert.Equal(new CommandOutcome("Server error: the request failed inside the server", ExitCodes.ServerError),
            Format("get k", Reply(BinaryStatus.ServerError)));
        Assert.Equal(new CommandOutcome("Authentication required: the server has a password; give it with --password or the ECHO_CACHE_PASSWORD environment variable",
            ExitCodes.AuthenticationFailed), Format("get k", Reply(BinaryStatus.AuthRequired, "NOAUTH Authentication required.")));
        Assert.Equal(new CommandOutcome("Authentication failed: the server refused the password (server: WRONGPASS invalid username-password pair or user is disabled.)",
            ExitCodes.AuthenticationFailed), Format("get k", Reply(BinaryStatus.AuthFailed, "WRONGPASS invalid username-password pair or user is disabled.")));
        Assert.Equal(new CommandOutcome("Unexpected answer from the server: Exists", ExitCodes.ServerError),
            Format("set k v", Reply(BinaryStatus.Exists)));
        Assert.Equal(new CommandOutcome("Unexpected answer from the server: 200", ExitCodes.ServerError),
            Format("get k", Reply((BinaryStatus)200)));
    }
}
