using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Tests.Net.Fuzz;

namespace EchoCache.Tests.Net;

/// <summary>The codecs do not depend on the engine; these keep what they share with it equal.</summary>
public sealed class ProtocolAgreementTests
{
    [Fact]
    public void The_protocol_key_limit_is_the_engines() => Assert.Equal(EngineLimits.MaxKeyLength, BinaryProtocol.MaxKeyLength);

    [Fact]
    public void The_largest_compressed_value_is_the_engines_decompressed_limit() =>
        Assert.Equal(EngineLimits.MaxDecompressedLength, BinaryProtocol.MaxBodyLength);

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("123456789012345678901")]
    [InlineData("1x")]
    public void Resp_numbers_are_read_as_strictly_as_the_engine_reads_integers(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(Int64Text.TryParse(bytes, out long expected), RespParser.TryParseNumber(bytes, out long actual));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Resp_numbers_agree_with_the_engine_on_random_digit_strings()
    {
        var random = new FuzzRandom(42);
        byte[] alphabet = "0123456789-+ x"u8.ToArray();
        var text = new byte[24];
        for (int i = 0; i < 200_000; i++)
        {
            int length = random.Next(text.Length);
            for (int j = 0; j < length; j++)
            {
                text[j] = random.OneIn(8) ? alphabet[10 + random.Next(4)] : alphabet[random.Next(10)];
            }
            bool engine = Int64Text.TryParse(text.AsSpan(0, length), out long expected);
            bool resp = RespParser.TryParseNumber(text.AsSpan(0, length), out long actual);
            if (engine != resp || expected != actual)
            {
                Assert.Fail($"'{Encoding.ASCII.GetString(text, 0, length)}': engine {engine} {expected}, RESP {resp} {actual}");
            }
        }
    }
}
