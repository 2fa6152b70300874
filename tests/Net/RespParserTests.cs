using System.Buffers;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

public sealed class RespParserTests
{
    public static TheoryData<string> CommandLines => new(RespFrames.Commands().Select(c => string.Join('|', c)));

    private static string[] Arguments(string line) => line.Split('|');

    private static string[] Parse(RespParser parser, byte[] input, out int consumed)
    {
        Assert.Equal(OperationStatus.Done, parser.TryParse(input, out RespRequest request, out consumed));
        var arguments = new string[request.Count];
        for (int i = 0; i < request.Count; i++)
        {
            arguments[i] = Encoding.UTF8.GetString(request[i]);
        }
        return arguments;
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void Writer_then_parser_round_trips_every_command(string line)
    {
        string[] arguments = Arguments(line);
        byte[] input = RespFrames.Command(arguments);
        var parser = new RespParser();
        Assert.Equal(arguments, Parse(parser, input, out int consumed));
        Assert.Equal(input.Length, consumed);
        parser.TryParse(input, out RespRequest request, out _);
        Assert.False(request.IsInline);
        Assert.True(request.CommandIs(Encoding.ASCII.GetBytes(arguments[0].ToLowerInvariant())));
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void Every_strict_prefix_is_incomplete_and_consumes_nothing(string line)
    {
        byte[] input = RespFrames.Command(Arguments(line));
        var parser = new RespParser();
        for (int length = 0; length < input.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, parser.TryParse(input.AsSpan(0, length), out _, out int consumed));
            Assert.Equal(0, consumed);
            // The hint is a true lower bound: never past the end of the request.
            Assert.InRange(parser.NeededLength, length + 1, input.Length);
        }
    }

    [Theory]
    [InlineData("PING\r\n")]
    [InlineData("SET k v\r\n")]
    [InlineData("SET \"a b\" 'c d'\r\n")]
    [InlineData("GET k\n")]
    public void Every_strict_prefix_of_an_inline_command_is_incomplete(string line)
    {
        byte[] input = RespFrames.Ascii(line);
        var parser = new RespParser();
        for (int length = 0; length < input.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, parser.TryParse(input.AsSpan(0, length), out _, out int consumed));
            Assert.Equal(0, consumed);
        }
        Assert.Equal(OperationStatus.Done, parser.TryParse(input, out _, out int all));
        Assert.Equal(input.Length, all);
    }

    [Fact]
    public void Arguments_are_binary_safe_and_point_into_the_input()
    {
        byte[] value = [0, (byte)'\r', (byte)'\n', (byte)'$', (byte)'*', 0xFF];
        byte[] input = RespFrames.Command("SET"u8.ToArray(), "k"u8.ToArray(), value);
        var parser = new RespParser();
        Assert.Equal(OperationStatus.Done, parser.TryParse(input, out RespRequest request, out _));
        Assert.Equal(value, request[2].ToArray());
        Assert.True(((ReadOnlySpan<byte>)input).Overlaps(request[2], out int offset));
        Assert.Equal(input.Length - value.Length - 2, offset);
    }

    [Fact]
    public void Empty_multibulk_requests_are_consumed_without_arguments_as_in_redis()
    {
        var parser = new RespParser();
        foreach (string empty in new[] { "*0\r\n", "*-1\r\n", "*-5\r\n", "*-9223372036854775808\r\n" })
        {
            Assert.Equal(OperationStatus.Done, parser.TryParse(RespFrames.Ascii(empty), out RespRequest request, out int consumed));
            Assert.True(request.IsEmpty);
            Assert.Equal(0, request.Count);
            Assert.Equal(empty.Length, consumed);
            Assert.True(request.Command.IsEmpty);
        }
    }

    [Fact]
    public void Pipelined_requests_in_one_buffer_parse_one_after_another()
    {
        byte[][] requests = RespFrames.Commands().Select(c => RespFrames.Command(c))
            .Append(RespFrames.Ascii("PING\r\n")).Append(RespFrames.Ascii("*0\r\n")).Append(RespFrames.Ascii("GET x\n"))
            .ToArray();
        byte[] stream = requests.SelectMany(r => r).ToArray();
        var parser = new RespParser();
        int position = 0;
        foreach (byte[] expected in requests)
        {
            Assert.Equal(OperationStatus.Done, parser.TryParse(stream.AsSpan(position), out _, out int consumed));
            Assert.Equal(expected.Length, consumed);
            position += consumed;
        }
        Assert.Equal(stream.Length, position);
    }

    [Fact]
    public void Requests_split_across_two_reads_parse_at_every_split_point()
    {
        byte[] stream = [.. RespFrames.Command("SET", "key", "value"), .. RespFrames.Ascii("GET key\r\n"), .. RespFrames.Command("DEL", "key")];
        var parser = new RespParser();
        for (int split = 0; split <= stream.Length; split++)
        {
            var commands = new List<string>();
            var buffer = new List<byte>(stream[..split]);
            Drain(buffer, commands);
            buffer.AddRange(stream[split..]);
            Drain(buffer, commands);
            Assert.Equal(["SET key value", "GET key", "DEL key"], commands);
            Assert.Empty(buffer);
        }

        void Drain(List<byte> buffer, List<string> commands)
        {
            while (true)
            {
                byte[] input = buffer.ToArray();
                OperationStatus status = parser.TryParse(input, out RespRequest request, out int consumed);
                if (status == OperationStatus.NeedMoreData)
                {
                    Assert.Equal(0, consumed);
                    return;
                }
                Assert.Equal(OperationStatus.Done, status);
                var arguments = new List<string>();
                for (int i = 0; i < request.Count; i++)
                {
                    arguments.Add(Encoding.ASCII.GetString(request[i]));
                }
                commands.Add(string.Join(' ', arguments));
                buffer.RemoveRange(0, consumed);
            }
        }
    }

    [Fact]
    public void A_request_with_a_million_arguments_parses_and_the_table_can_be_trimmed()
    {
        int count = RespLimits.MaxMultibulkLength;
        var input = new List<byte>(RespFrames.Ascii($"*{count}\r\n"));
        byte[] argument = RespFrames.Ascii("$1\r\nx\r\n");
        for (int i = 0; i < count; i++)
        {
            input.AddRange(argument);
        }
        var parser = new RespParser();
        Assert.Equal(OperationStatus.Done, parser.TryParse(input.ToArray(), out RespRequest request, out int consumed));
        Assert.Equal(count, request.Count);
        Assert.Equal(input.Count, consumed);
        Assert.Equal("x"u8.ToArray(), request[count - 1].ToArray());
        parser.TrimExcess();
        Assert.Equal(["GET", "k"], Parse(parser, RespFrames.Command("GET", "k"), out _));
    }

    [Fact]
    public void The_needed_length_counts_arguments_not_yet_received()
    {
        var parser = new RespParser();
        // Three arguments announced, none there: at least "$0\r\n\r\n" each.
        Assert.Equal(OperationStatus.NeedMoreData, parser.TryParse(RespFrames.Ascii("*3\r\n"), out _, out _));
        Assert.Equal(4 + 3 * 6, parser.NeededLength);
        // A bulk whose length is known: wait for all of it, its CRLF, and the smallest remaining argument.
        Assert.Equal(OperationStatus.NeedMoreData, parser.TryParse(RespFrames.Ascii("*2\r\n$1000\r\nab"), out _, out _));
        Assert.Equal(4 + 7 + 1000 + 2 + 6, parser.NeededLength);
    }

    [Fact]
    public void The_largest_bulk_parses()
    {
        byte[] value = new byte[RespLimits.MaxBulkLength];
        byte[] input = RespFrames.Command("SET"u8.ToArray(), "k"u8.ToArray(), value);
        var parser = new RespParser();
        Assert.Equal(OperationStatus.Done, parser.TryParse(input, out RespRequest request, out int consumed));
        Assert.Equal(input.Length, consumed);
        Assert.Equal(RespLimits.MaxBulkLength, request[2].Length);
    }

    [Fact]
    public void Arguments_compare_ignoring_ascii_case()
    {
        var parser = new RespParser();
        parser.TryParse(RespFrames.Command("set", "k", "v", "Ex", "10"), out RespRequest request, out _);
        Assert.True(request.CommandIs("SET"u8));
        Assert.True(request.ArgumentIs(3, "EX"u8));
        Assert.False(request.ArgumentIs(3, "PX"u8));
        Assert.False(request.ArgumentIs(5, "EX"u8));
        Assert.False(request.ArgumentIs(-1, "EX"u8));
    }

    [Fact]
    public void Authentication_caps_apply_only_when_required()
    {
        byte[] eleven = RespFrames.Command(Enumerable.Repeat("x", 11).ToArray());
        byte[] bigBulk = RespFrames.Command("AUTH", new string('p', 16385));
        var parser = new RespParser();
        Assert.Equal(OperationStatus.Done, parser.TryParse(eleven, out _, out _));
        Assert.Equal(OperationStatus.Done, parser.TryParse(bigBulk, out _, out _));
        parser.RequireAuthentication = true;
        Assert.Equal(OperationStatus.InvalidData, parser.TryParse(eleven, out _, out _));
        Assert.Equal(RespParseErrorKind.UnauthenticatedMultibulkLength, parser.Error.Kind);
        Assert.Equal(OperationStatus.InvalidData, parser.TryParse(bigBulk, out _, out _));
        Assert.Equal(RespParseErrorKind.UnauthenticatedBulkLength, parser.Error.Kind);
        Assert.Equal(OperationStatus.Done, parser.TryParse(RespFrames.Command(Enumerable.Repeat("x", 10).ToArray()), out _, out _));
        Assert.Equal(OperationStatus.Done, parser.TryParse(RespFrames.Command("AUTH", new string('p', 16384)), out _, out _));
    }
}
