using System.Buffers;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>Inline commands split as Redis 7.0.15 splits them (each case checked against a running redis-server).</summary>
public sealed class RespInlineTests
{
    private static byte[][] Split(string line, out int consumed)
    {
        var parser = new RespParser();
        Assert.Equal(OperationStatus.Done, parser.TryParse(RespFrames.Ascii(line), out RespRequest request, out consumed));
        Assert.True(request.IsInline);
        var arguments = new byte[request.Count][];
        for (int i = 0; i < request.Count; i++)
        {
            arguments[i] = request[i].ToArray();
        }
        return arguments;
    }

    private static void ExpectArguments(string line, params string[] expected)
    {
        byte[][] arguments = Split(line, out _);
        Assert.Equal(expected, arguments.Select(a => System.Text.Encoding.Latin1.GetString(a)).ToArray());
    }

    [Fact]
    public void Plain_words_separated_by_blanks() => ExpectArguments("SET  key\tvalue \r\n", "SET", "key", "value");

    [Fact]
    public void A_line_may_end_with_lf_alone() => ExpectArguments("GET key\n", "GET", "key");

    [Fact]
    public void Only_one_cr_before_the_lf_is_dropped() => ExpectArguments("GET key\r\r\n", "GET", "key");

    [Fact]
    public void Leading_vertical_tab_and_form_feed_are_skipped_but_kept_inside_a_word() =>
        ExpectArguments("ECHO \vx\vy\f\r\n", "ECHO", "x\vy\f");

    [Fact]
    public void Double_quotes_take_escapes() => ExpectArguments("ECHO \"a\\x41\\n\\r\\t\\b\\a\"\r\n", "ECHO", "aA\n\r\t\b\a");

    [Fact]
    public void Unknown_escapes_keep_the_character() => ExpectArguments("ECHO \"a\\qb\\\\\"\r\n", "ECHO", "aqb\\");

    [Fact]
    public void A_bad_hex_escape_is_read_as_x() => ExpectArguments("ECHO \"\\x4g\"\r\n", "ECHO", "x4g");

    [Fact]
    public void Hex_escapes_make_any_byte() => ExpectArguments("ECHO \"\\x00\\xfF\"\r\n", "ECHO", "\0\u00ff");

    [Fact]
    public void Single_quotes_take_only_an_escaped_quote() => ExpectArguments("ECHO 'it\\'s \\n'\r\n", "ECHO", "it's \\n");

    [Fact]
    public void Empty_quotes_make_an_empty_argument() => ExpectArguments("SET k \"\"\r\n", "SET", "k", "");

    [Fact]
    public void A_closing_quote_may_be_followed_by_any_blank() => ExpectArguments("ECHO \"a\"\v 'b'\tc\r\n", "ECHO", "a", "b", "c");

    [Fact]
    public void Quotes_can_open_inside_a_word() => ExpectArguments("ECHO ab\"c d\"\r\n", "ECHO", "abc d");

    [Fact]
    public void Quoted_arguments_point_into_the_scratch_buffer_not_the_input()
    {
        byte[] input = RespFrames.Ascii("SET \"k\" v\r\n");
        var parser = new RespParser();
        parser.TryParse(input, out RespRequest request, out _);
        Assert.False(request[0].Overlaps(input));
        Assert.Equal("v"u8.ToArray(), request[2].ToArray());
    }

    [Fact]
    public void Plain_arguments_point_into_the_input()
    {
        byte[] input = RespFrames.Ascii("SET k v\r\n");
        var parser = new RespParser();
        parser.TryParse(input, out RespRequest request, out _);
        Assert.True(((ReadOnlySpan<byte>)input).Overlaps(request[2], out int offset));
        Assert.Equal(6, offset);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("   \t \r\n")]
    public void A_blank_line_is_an_empty_request(string line)
    {
        Assert.Empty(Split(line, out int consumed));
        Assert.Equal(line.Length, consumed);
    }

    [Fact]
    public void Blank_lines_then_a_command_parse_one_by_one()
    {
        byte[] input = RespFrames.Ascii("  \r\n\r\nPING\n");
        var parser = new RespParser();
        int position = 0;
        var counts = new List<int>();
        while (position < input.Length)
        {
            Assert.Equal(OperationStatus.Done, parser.TryParse(input.AsSpan(position), out RespRequest request, out int consumed));
            counts.Add(request.Count);
            position += consumed;
        }
        Assert.Equal([0, 0, 1], counts);
    }

    [Fact]
    public void A_line_of_64_KiB_is_accepted()
    {
        string line = "ECHO " + new string('y', RespLimits.MaxInlineLength - 5) + "\n";
        byte[][] arguments = Split(line, out int consumed);
        Assert.Equal(line.Length, consumed);
        Assert.Equal(RespLimits.MaxInlineLength - 5, arguments[1].Length);
    }

    [Fact]
    public void A_quoted_line_after_a_long_one_reuses_the_scratch_buffer()
    {
        var parser = new RespParser();
        string longLine = "ECHO \"" + new string('z', 5000) + "\"\r\n";
        Assert.Equal(OperationStatus.Done, parser.TryParse(RespFrames.Ascii(longLine), out RespRequest request, out _));
        Assert.Equal(5000, request[1].Length);
        Assert.Equal(OperationStatus.Done, parser.TryParse(RespFrames.Ascii("ECHO 'short'\r\n"), out request, out _));
        Assert.Equal("short"u8.ToArray(), request[1].ToArray());
    }
}
