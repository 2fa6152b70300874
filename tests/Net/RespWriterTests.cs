using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Net;

public sealed class RespWriterTests
{
    private delegate bool Writer(Span<byte> destination, out int written);

    private static string Write(Writer writer)
    {
        var destination = new byte[256];
        Assert.True(writer(destination, out int written));
        string text = Encoding.Latin1.GetString(destination, 0, written);
        // Out of room at every shorter length: false, nothing written, destination untouched.
        for (int room = 0; room < written; room++)
        {
            var small = new byte[room];
            Array.Fill(small, (byte)0xAA);
            Assert.False(writer(small, out int none));
            Assert.Equal(0, none);
            Assert.All(small, b => Assert.Equal(0xAA, b));
        }
        return text;
    }

    [Fact]
    public void Simple_string() => Assert.Equal("+OK\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteSimpleString("OK"u8, d, out w)));

    [Fact]
    public void Simple_string_cannot_carry_cr_or_lf() =>
        Assert.Equal("+a b c\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteSimpleString("a\rb\nc"u8, d, out w)));

    [Fact]
    public void Error() =>
        Assert.Equal("-ERR unknown command 'FOO'\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteError("ERR unknown command 'FOO'"u8, d, out w)));

    [Fact]
    public void Error_cannot_carry_cr_or_lf() =>
        Assert.Equal("-ERR a  b\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteError("ERR a\r\nb"u8, d, out w)));

    [Theory]
    [InlineData(0L, ":0\r\n")]
    [InlineData(42L, ":42\r\n")]
    [InlineData(-1L, ":-1\r\n")]
    [InlineData(long.MaxValue, ":9223372036854775807\r\n")]
    [InlineData(long.MinValue, ":-9223372036854775808\r\n")]
    public void Integer(long value, string expected) =>
        Assert.Equal(expected, Write((Span<byte> d, out int w) => RespWriter.TryWriteInteger(value, d, out w)));

    [Fact]
    public void Bulk_string() => Assert.Equal("$6\r\ntanson\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteBulkString("tanson"u8, d, out w)));

    [Fact]
    public void Empty_bulk_string() => Assert.Equal("$0\r\n\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteBulkString(default, d, out w)));

    [Fact]
    public void Bulk_string_is_binary_safe() =>
        Assert.Equal("$4\r\n\r\n\0\xff\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteBulkString([13, 10, 0, 255], d, out w)));

    [Fact]
    public void Bulk_string_header_then_data_then_crlf()
    {
        Assert.Equal("$1234\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteBulkStringHeader(1234, d, out w)));
        Assert.Equal("\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteCrlf(d, out w)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RespWriter.TryWriteBulkStringHeader(-1, new byte[16], out _));
    }

    [Theory]
    [InlineData(RespVersion.Resp2, "$-1\r\n")]
    [InlineData(RespVersion.Resp3, "_\r\n")]
    public void Null(RespVersion version, string expected) =>
        Assert.Equal(expected, Write((Span<byte> d, out int w) => RespWriter.TryWriteNull(version, d, out w)));

    [Theory]
    [InlineData(RespVersion.Resp2, "*-1\r\n")]
    [InlineData(RespVersion.Resp3, "_\r\n")]
    public void Null_array(RespVersion version, string expected) =>
        Assert.Equal(expected, Write((Span<byte> d, out int w) => RespWriter.TryWriteNullArray(version, d, out w)));

    [Fact]
    public void Array_header()
    {
        Assert.Equal("*0\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteArrayHeader(0, d, out w)));
        Assert.Equal("*3\r\n", Write((Span<byte> d, out int w) => RespWriter.TryWriteArrayHeader(3, d, out w)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RespWriter.TryWriteArrayHeader(-1, new byte[16], out _));
    }

    [Theory]
    [InlineData(RespVersion.Resp2, 2, "*4\r\n")]
    [InlineData(RespVersion.Resp3, 2, "%2\r\n")]
    [InlineData(RespVersion.Resp2, int.MaxValue, "*4294967294\r\n")]
    public void Map_header(RespVersion version, int count, string expected) =>
        Assert.Equal(expected, Write((Span<byte> d, out int w) => RespWriter.TryWriteMapHeader(count, version, d, out w)));

    [Theory]
    [InlineData(3.14, ",3.14\r\n", "$4\r\n3.14\r\n")]
    [InlineData(1.0, ",1\r\n", "$1\r\n1\r\n")]
    [InlineData(-0.5, ",-0.5\r\n", "$4\r\n-0.5\r\n")]
    [InlineData(1e20, ",1e+20\r\n", "$5\r\n1e+20\r\n")]
    [InlineData(1e-7, ",1e-07\r\n", "$5\r\n1e-07\r\n")]
    [InlineData(double.PositiveInfinity, ",inf\r\n", "$3\r\ninf\r\n")]
    [InlineData(double.NegativeInfinity, ",-inf\r\n", "$4\r\n-inf\r\n")]
    [InlineData(double.NaN, ",nan\r\n", "$3\r\nnan\r\n")]
    [InlineData(-1.7976931348623157e308, ",-1.7976931348623157e+308\r\n", "$24\r\n-1.7976931348623157e+308\r\n")]
    public void Double(double value, string resp3, string resp2)
    {
        Assert.Equal(resp3, Write((Span<byte> d, out int w) => RespWriter.TryWriteDouble(value, RespVersion.Resp3, d, out w)));
        Assert.Equal(resp2, Write((Span<byte> d, out int w) => RespWriter.TryWriteDouble(value, RespVersion.Resp2, d, out w)));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0 / 3)]
    [InlineData(double.Epsilon)]
    [InlineData(123456789.123456789)]
    public void Double_text_reads_back_as_the_same_double(double value)
    {
        string text = Write((Span<byte> d, out int w) => RespWriter.TryWriteDouble(value, RespVersion.Resp3, d, out w));
        Assert.Equal(value, double.Parse(text[1..^2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(true, RespVersion.Resp3, "#t\r\n")]
    [InlineData(false, RespVersion.Resp3, "#f\r\n")]
    [InlineData(true, RespVersion.Resp2, ":1\r\n")]
    [InlineData(false, RespVersion.Resp2, ":0\r\n")]
    public void Boolean(bool value, RespVersion version, string expected) =>
        Assert.Equal(expected, Write((Span<byte> d, out int w) => RespWriter.TryWriteBoolean(value, version, d, out w)));

    [Fact]
    public void Every_protocol_error_kind_has_its_text()
    {
        foreach (RespParseErrorKind kind in Enum.GetValues<RespParseErrorKind>().Where(k => k != RespParseErrorKind.None))
        {
            var error = new RespParseError(kind, (byte)'x');
            string text = Write((Span<byte> d, out int w) => RespWriter.TryWriteProtocolError(error, d, out w));
            Assert.StartsWith("-ERR Protocol error: ", text);
            Assert.DoesNotContain("unknown error", text);
            Assert.EndsWith("\r\n", text);
        }
    }

    [Fact]
    public void A_resp3_map_reply_reads_as_redis_writes_it()
    {
        var buffer = new byte[128];
        int length = 0;
        Step((Span<byte> d, out int w) => RespWriter.TryWriteMapHeader(2, RespVersion.Resp3, d, out w));
        Step((Span<byte> d, out int w) => RespWriter.TryWriteBulkString("server"u8, d, out w));
        Step((Span<byte> d, out int w) => RespWriter.TryWriteBulkString("echo"u8, d, out w));
        Step((Span<byte> d, out int w) => RespWriter.TryWriteBulkString("proto"u8, d, out w));
        Step((Span<byte> d, out int w) => RespWriter.TryWriteInteger(3, d, out w));
        Assert.Equal("%2\r\n$6\r\nserver\r\n$4\r\necho\r\n$5\r\nproto\r\n:3\r\n", Encoding.ASCII.GetString(buffer, 0, length));

        void Step(Writer writer)
        {
            Assert.True(writer(buffer.AsSpan(length), out int written));
            length += written;
        }
    }
}
