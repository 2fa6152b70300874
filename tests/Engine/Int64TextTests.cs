using System.Globalization;
using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class Int64TextTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("-1", -1L)]
    [InlineData("10", 10L)]
    [InlineData("-10", -10L)]
    [InlineData("1234567890", 1234567890L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("-9223372036854775807", long.MinValue + 1)]
    public void Parses_strict_integers(string text, long expected)
    {
        Assert.True(Int64Text.TryParse(Encoding.ASCII.GetBytes(text), out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("00")]
    [InlineData("-0")]
    [InlineData("-01")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1a")]
    [InlineData("a1")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("--1")]
    [InlineData("1-")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("-99999999999999999999")]
    [InlineData("123456789012345678901")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(Int64Text.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void Rejects_digits_with_a_nul_or_non_ascii_byte()
    {
        Assert.False(Int64Text.TryParse([(byte)'1', 0], out _));
        Assert.False(Int64Text.TryParse([(byte)'1', 0xD9], out _));
        Assert.False(Int64Text.TryParse([(byte)('0' - 1)], out _));
        Assert.False(Int64Text.TryParse([(byte)('9' + 1)], out _));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(-7L)]
    [InlineData(10L)]
    [InlineData(-10L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(long.MinValue + 1)]
    public void Formats_edge_values_as_invariant_decimal_text(long value)
    {
        Span<byte> buffer = stackalloc byte[Int64Text.MaxLength];
        int length = Int64Text.Format(value, buffer);
        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..length]));
    }

    [Fact]
    public void Format_then_parse_round_trips()
    {
        var random = new Random(5);
        byte[] buffer = new byte[Int64Text.MaxLength];
        for (int i = 0; i < 200_000; i++)
        {
            // Spread over every magnitude, not only huge numbers.
            long value = random.NextInt64() >> random.Next(64);
            if (random.Next(2) == 0) value = -value;
            int length = Int64Text.Format(value, buffer);
            Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer, 0, length));
            Assert.True(Int64Text.TryParse(buffer.AsSpan(0, length), out long parsed));
            Assert.Equal(value, parsed);
        }
    }

    [Fact]
    public void The_longest_text_fits_MaxLength()
    {
        Span<byte> buffer = stackalloc byte[Int64Text.MaxLength];
        Assert.Equal(Int64Text.MaxLength, Int64Text.Format(long.MinValue, buffer));
    }
}
