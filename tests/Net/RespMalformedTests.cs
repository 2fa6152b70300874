using System.Buffers;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

/// <summary>
/// One test per malformed request. The expected replies are what redis-server 7.0.15 answers to the same bytes
/// (checked by hand against a running server), except where a comment says we are stricter.
/// </summary>
public sealed class RespMalformedTests
{
    private static void ExpectError(string input, string reply, RespParseErrorKind kind, bool requireAuthentication = false) =>
        ExpectError(RespFrames.Ascii(input), reply, kind, requireAuthentication);

    private static void ExpectError(byte[] input, string reply, RespParseErrorKind kind, bool requireAuthentication = false)
    {
        var parser = new RespParser { RequireAuthentication = requireAuthentication };
        Assert.Equal(OperationStatus.InvalidData, parser.TryParse(input, out _, out int consumed));
        Assert.Equal(0, consumed);
        Assert.Equal(kind, parser.Error.Kind);
        var destination = new byte[128];
        Assert.True(RespWriter.TryWriteProtocolError(parser.Error, destination, out int written));
        Assert.Equal(reply, Encoding.Latin1.GetString(destination, 0, written));
        // Errors are final: more bytes change nothing (the connection is closed after the reply).
        byte[] longer = [.. input, .. RespFrames.Command("PING")];
        Assert.Equal(OperationStatus.InvalidData, parser.TryParse(longer, out _, out consumed));
        Assert.Equal(0, consumed);
        Assert.Equal(kind, parser.Error.Kind);
    }

    private const string InvalidMultibulk = "-ERR Protocol error: invalid multibulk length\r\n";
    private const string InvalidBulk = "-ERR Protocol error: invalid bulk length\r\n";

    [Theory]
    [InlineData("*abc\r\n")]
    [InlineData("*1x\r\n")]
    [InlineData("*-0\r\n")]
    [InlineData("*01\r\n")]
    [InlineData("*+1\r\n")]
    [InlineData("* 1\r\n")]
    [InlineData("*\r\n")]
    [InlineData("*99999999999999999999\r\n")]
    public void Non_numeric_multibulk_length(string input) => ExpectError(input, InvalidMultibulk, RespParseErrorKind.InvalidMultibulkLength);

    [Fact]
    public void Multibulk_length_over_the_cap() =>
        // Redis 7 waits for the 1048577 arguments (its cap is INT_MAX); Redis 6 and we refuse.
        ExpectError("*1048577\r\n", InvalidMultibulk, RespParseErrorKind.InvalidMultibulkLength);

    [Fact]
    public void Multibulk_length_line_without_lf() =>
        // Redis takes any byte after the CR for the LF; we require CRLF.
        ExpectError("*1\rX", InvalidMultibulk, RespParseErrorKind.InvalidMultibulkLength);

    [Theory]
    [InlineData("*abc")]
    [InlineData("*1x")]
    [InlineData("*00")]
    [InlineData("*-0")]
    [InlineData("*123456789012345678901")]
    public void A_multibulk_length_that_cannot_become_valid_is_refused_before_its_line_ends(string input) =>
        ExpectError(input, InvalidMultibulk, RespParseErrorKind.InvalidMultibulkLength);

    [Theory]
    [InlineData("*1\r\n:5\r\n", ':')]
    [InlineData("*1\r\nPING\r\n", 'P')]
    [InlineData("*2\r\n$3\r\nGET\r\n+k\r\n", '+')]
    [InlineData("*1\r\n*1\r\n", '*')]
    public void An_element_that_is_not_a_bulk_string(string input, char got) =>
        ExpectError(input, $"-ERR Protocol error: expected '$', got '{got}'\r\n", RespParseErrorKind.ExpectedDollar);

    [Theory]
    [InlineData("*1\r\n\r\n")]
    [InlineData("*1\r\n\n\r\n")]
    public void A_cr_or_lf_where_dollar_was_expected_is_shown_as_a_space(string input) =>
        ExpectError(input, "-ERR Protocol error: expected '$', got ' '\r\n", RespParseErrorKind.ExpectedDollar);

    [Fact]
    public void A_nul_where_dollar_was_expected() =>
        // Redis's strchr stops at the NUL and it waits; we refuse at once.
        ExpectError("*1\r\n\0\r\n", "-ERR Protocol error: expected '$', got '\0'\r\n", RespParseErrorKind.ExpectedDollar);

    [Theory]
    [InlineData("*1\r\n$abc\r\n")]
    [InlineData("*1\r\n$-1\r\n")]
    [InlineData("*1\r\n$01\r\n")]
    [InlineData("*1\r\n$\xff\r\n")]
    [InlineData("*1\r\n$\r\n")]
    [InlineData("*1\r\n$99999999999999999999\r\n")]
    public void Non_numeric_or_negative_bulk_length(string input) => ExpectError(input, InvalidBulk, RespParseErrorKind.InvalidBulkLength);

    [Theory]
    [InlineData("*1\r\n$67108865\r\n")]
    [InlineData("*1\r\n$536870913\r\n")]
    [InlineData("*1\r\n$9223372036854775807\r\n")]
    public void Bulk_length_over_the_cap_is_refused_before_its_data(string input) =>
        ExpectError(input, InvalidBulk, RespParseErrorKind.InvalidBulkLength);

    [Fact]
    public void Bulk_length_line_without_lf() => ExpectError("*1\r\n$4\rX", InvalidBulk, RespParseErrorKind.InvalidBulkLength);

    [Theory]
    [InlineData("*1\r\n$4\r\nPINGXY")]
    [InlineData("*1\r\n$4\r\nPING\rX")]
    [InlineData("*1\r\n$4\r\nPING\n\r")]
    [InlineData("*1\r\n$3\r\nPING\r\n")]
    [InlineData("*1\r\n$4\r\nPINGX")]
    public void Bulk_data_not_followed_by_crlf(string input) =>
        // Redis skips the two bytes after the data unchecked, and so reads the rest of the stream out of step.
        ExpectError(input, "-ERR Protocol error: missing CRLF after bulk data\r\n", RespParseErrorKind.MissingBulkCrlf);

    [Theory]
    [InlineData("ECHO \"unbalanced\r\n")]
    [InlineData("ECHO 'x\r\n")]
    [InlineData("ECHO \"a\"b\r\n")]
    [InlineData("ECHO a\"b c\"d\r\n")]
    [InlineData("ECHO 'a'b\r\n")]
    [InlineData("ECHO \"a\\\"\r\n")]
    public void Unbalanced_quotes_in_an_inline_command(string input) =>
        ExpectError(input, "-ERR Protocol error: unbalanced quotes in request\r\n", RespParseErrorKind.UnbalancedQuotes);

    [Fact]
    public void An_inline_request_without_newline_over_64_KiB() =>
        ExpectError(new string('x', RespLimits.MaxInlineLength + 1), "-ERR Protocol error: too big inline request\r\n",
            RespParseErrorKind.TooBigInlineRequest);

    [Fact]
    public void An_inline_line_over_64_KiB_even_with_its_newline() =>
        // Redis accepts it if the whole line arrived in one read, and refuses it otherwise; we always refuse.
        ExpectError("ECHO " + new string('y', RespLimits.MaxInlineLength) + "\r\n", "-ERR Protocol error: too big inline request\r\n",
            RespParseErrorKind.TooBigInlineRequest);

    [Theory]
    [InlineData("ECHO a\0b c\r\n")]
    [InlineData("GET\0")]
    [InlineData("\0")]
    public void A_nul_byte_in_an_inline_line(string input) =>
        // Redis never finds the end of such a line (strchr stops at the NUL) and waits for 64 KiB; we refuse at once.
        ExpectError(input, "-ERR Protocol error: NUL byte in inline request\r\n", RespParseErrorKind.NulInInlineRequest);

    [Fact]
    public void More_than_10_arguments_before_authentication() =>
        ExpectError("*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n",
            RespParseErrorKind.UnauthenticatedMultibulkLength, requireAuthentication: true);

    [Fact]
    public void A_bulk_over_16_KiB_before_authentication() =>
        ExpectError("*1\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n",
            RespParseErrorKind.UnauthenticatedBulkLength, requireAuthentication: true);

    [Fact]
    public void A_request_over_128_MiB_in_all() =>
        ExpectError([.. RespFrames.Ascii("*3\r\n$67108864\r\n"), .. new byte[RespLimits.MaxBulkLength], .. RespFrames.Ascii("\r\n$67108864\r\n")],
            "-ERR Protocol error: too big request\r\n", RespParseErrorKind.RequestTooLarge);
}
