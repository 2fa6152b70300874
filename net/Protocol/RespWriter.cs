using System.Globalization;

namespace EchoCache.Net.Protocol;

/// <summary>
/// Writes RESP2 and RESP3 replies (and, with <see cref="TryWriteArrayHeader"/> and <see cref="TryWriteBulkString"/>,
/// requests). Every method writes one whole element or nothing: it checks the room first and returns false, with
/// <c>written</c> = 0 and <c>destination</c> untouched, when it is too small; the caller flushes and retries.
/// Allocation-free.
/// </summary>
/// <remarks>
/// Types RESP2 lacks are written the way Redis writes them to a RESP2 client: null as <c>$-1</c> (<c>*-1</c> for a
/// null array), a map as a flat array of 2n elements, a double as a bulk string, a boolean as the integer 1 or 0.
/// </remarks>
public static class RespWriter
{
    private const int MaxDoubleLength = 32;

    /// <summary>Longest decimal text of a long: "-9223372036854775808".</summary>
    private const int MaxIntegerLength = 20;

    /// <summary>Writes a simple string, <c>+text\r\n</c>; CR and LF in the text become spaces.</summary>
    public static bool TryWriteSimpleString(ReadOnlySpan<byte> text, Span<byte> destination, out int written) =>
        TryWriteLine((byte)'+', text, default, destination, out written);

    /// <summary>
    /// Writes an error, <c>-message\r\n</c>. The message starts with its code, e.g. "ERR unknown command" or
    /// "WRONGTYPE ..."; CR and LF in it become spaces, as Redis does.
    /// </summary>
    public static bool TryWriteError(ReadOnlySpan<byte> message, Span<byte> destination, out int written) =>
        TryWriteLine((byte)'-', message, default, destination, out written);

    /// <summary>Writes Redis's reply to a malformed request, e.g. <c>-ERR Protocol error: invalid bulk length\r\n</c>.</summary>
    public static bool TryWriteProtocolError(in RespParseError error, Span<byte> destination, out int written)
    {
        if (error.Kind == RespParseErrorKind.ExpectedDollar)
        {
            Span<byte> text = stackalloc byte[64];
            ReadOnlySpan<byte> head = "ERR Protocol error: expected '$', got '"u8;
            head.CopyTo(text);
            text[head.Length] = error.Got;
            text[head.Length + 1] = (byte)'\'';
            return TryWriteLine((byte)'-', text[..(head.Length + 2)], default, destination, out written);
        }
        ReadOnlySpan<byte> message = error.Kind switch
        {
            RespParseErrorKind.InvalidMultibulkLength => "invalid multibulk length"u8,
            RespParseErrorKind.InvalidBulkLength => "invalid bulk length"u8,
            RespParseErrorKind.MissingBulkCrlf => "missing CRLF after bulk data"u8,
            RespParseErrorKind.TooBigInlineRequest => "too big inline request"u8,
            RespParseErrorKind.UnbalancedQuotes => "unbalanced quotes in request"u8,
            RespParseErrorKind.UnauthenticatedMultibulkLength => "unauthenticated multibulk length"u8,
            RespParseErrorKind.UnauthenticatedBulkLength => "unauthenticated bulk length"u8,
            RespParseErrorKind.RequestTooLarge => "too big request"u8,
            RespParseErrorKind.NulInInlineRequest => "NUL byte in inline request"u8,
            _ => "unknown error"u8,
        };
        return TryWriteLine((byte)'-', "ERR Protocol error: "u8, message, destination, out written);
    }

    /// <summary>Writes an integer, <c>:n\r\n</c>.</summary>
    public static bool TryWriteInteger(long value, Span<byte> destination, out int written) =>
        TryWriteNumberLine((byte)':', value, destination, out written);

    /// <summary>Writes a bulk string, <c>$len\r\nvalue\r\n</c>.</summary>
    public static bool TryWriteBulkString(ReadOnlySpan<byte> value, Span<byte> destination, out int written)
    {
        Span<byte> digits = stackalloc byte[MaxIntegerLength];
        int length = FormatInteger(value.Length, digits);
        int header = 1 + length + 2;
        if (destination.Length < (long)header + value.Length + 2)
        {
            written = 0;
            return false;
        }
        destination[0] = (byte)'$';
        digits[..length].CopyTo(destination[1..]);
        WriteCrlf(destination[(1 + length)..]);
        value.CopyTo(destination[header..]);
        WriteCrlf(destination[(header + value.Length)..]);
        written = header + value.Length + 2;
        return true;
    }

    /// <summary>
    /// Writes free-form text (INFO) as Redis does: a verbatim string <c>=len\r\ntxt:text\r\n</c> in RESP3, a bulk
    /// string in RESP2.
    /// </summary>
    public static bool TryWriteText(ReadOnlySpan<byte> text, RespVersion version, Span<byte> destination, out int written)
    {
        if (version != RespVersion.Resp3)
        {
            return TryWriteBulkString(text, destination, out written);
        }
        if (!TryWriteNumberLine((byte)'=', text.Length + 4, destination, out int header)
            || destination.Length < (long)header + 4 + text.Length + 2)
        {
            written = 0;
            return false;
        }
        "txt:"u8.CopyTo(destination[header..]);
        text.CopyTo(destination[(header + 4)..]);
        WriteCrlf(destination[(header + 4 + text.Length)..]);
        written = header + 4 + text.Length + 2;
        return true;
    }

    /// <summary>
    /// Writes only a bulk string's header, <c>$len\r\n</c>, for a value the caller writes next (e.g. decompressed
    /// straight into the send buffer), followed by <see cref="TryWriteCrlf"/>.
    /// </summary>
    public static bool TryWriteBulkStringHeader(int length, Span<byte> destination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return TryWriteNumberLine((byte)'$', length, destination, out written);
    }

    /// <summary>Writes <c>\r\n</c>.</summary>
    public static bool TryWriteCrlf(Span<byte> destination, out int written)
    {
        if (destination.Length < 2)
        {
            written = 0;
            return false;
        }
        WriteCrlf(destination);
        written = 2;
        return true;
    }

    /// <summary>Writes a null: <c>$-1\r\n</c> (RESP2) or <c>_\r\n</c> (RESP3).</summary>
    public static bool TryWriteNull(RespVersion version, Span<byte> destination, out int written) =>
        TryWriteBytes(version == RespVersion.Resp3 ? "_\r\n"u8 : "$-1\r\n"u8, destination, out written);

    /// <summary>Writes a null array: <c>*-1\r\n</c> (RESP2) or <c>_\r\n</c> (RESP3).</summary>
    public static bool TryWriteNullArray(RespVersion version, Span<byte> destination, out int written) =>
        TryWriteBytes(version == RespVersion.Resp3 ? "_\r\n"u8 : "*-1\r\n"u8, destination, out written);

    /// <summary>Writes an array header, <c>*count\r\n</c>; the elements follow.</summary>
    public static bool TryWriteArrayHeader(int count, Span<byte> destination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return TryWriteNumberLine((byte)'*', count, destination, out written);
    }

    /// <summary>
    /// Writes a map header for <paramref name="count"/> key/value pairs: <c>%count\r\n</c> (RESP3) or
    /// <c>*2count\r\n</c> (RESP2); the keys and values follow, alternating.
    /// </summary>
    public static bool TryWriteMapHeader(int count, RespVersion version, Span<byte> destination, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return version == RespVersion.Resp3
            ? TryWriteNumberLine((byte)'%', count, destination, out written)
            : TryWriteNumberLine((byte)'*', 2L * count, destination, out written);
    }

    /// <summary>
    /// Writes a double: <c>,text\r\n</c> (RESP3) or a bulk string of the text (RESP2). The text is the shortest that
    /// reads back as the same double, with "inf", "-inf" and "nan" as Redis writes them.
    /// </summary>
    public static bool TryWriteDouble(double value, RespVersion version, Span<byte> destination, out int written)
    {
        Span<byte> text = stackalloc byte[MaxDoubleLength];
        int length = FormatDouble(value, text);
        return version == RespVersion.Resp3
            ? TryWriteLine((byte)',', text[..length], default, destination, out written)
            : TryWriteBulkString(text[..length], destination, out written);
    }

    /// <summary>Writes a boolean: <c>#t\r\n</c> / <c>#f\r\n</c> (RESP3) or <c>:1\r\n</c> / <c>:0\r\n</c> (RESP2).</summary>
    public static bool TryWriteBoolean(bool value, RespVersion version, Span<byte> destination, out int written) =>
        TryWriteBytes(version == RespVersion.Resp3
            ? (value ? "#t\r\n"u8 : "#f\r\n"u8)
            : (value ? ":1\r\n"u8 : ":0\r\n"u8), destination, out written);

    private static int FormatDouble(double value, Span<byte> text)
    {
        ReadOnlySpan<byte> special =
            double.IsNaN(value) ? "nan"u8
            : double.IsPositiveInfinity(value) ? "inf"u8
            : double.IsNegativeInfinity(value) ? "-inf"u8
            : default;
        if (!special.IsEmpty)
        {
            special.CopyTo(text);
            return special.Length;
        }
        // "R" is the shortest round-trip form; at most 24 bytes ("-1.7976931348623157E+308").
        value.TryFormat(text, out int length, "R", CultureInfo.InvariantCulture);
        int exponent = text[..length].IndexOf((byte)'E');
        if (exponent >= 0)
        {
            text[exponent] = (byte)'e'; // as C's printf writes it, and Redis with it
        }
        return length;
    }

    /// <summary>Writes prefix, then <paramref name="first"/> and <paramref name="second"/> with CR/LF made spaces, then CRLF.</summary>
    private static bool TryWriteLine(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second,
        Span<byte> destination, out int written)
    {
        int size = 1 + first.Length + second.Length + 2;
        if (destination.Length < size)
        {
            written = 0;
            return false;
        }
        destination[0] = prefix;
        CopyLineSafe(first, destination[1..]);
        CopyLineSafe(second, destination[(1 + first.Length)..]);
        WriteCrlf(destination[(size - 2)..]);
        written = size;
        return true;
    }

    private static void CopyLineSafe(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        if (text.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            destination[..text.Length].Replace((byte)'\r', (byte)' ');
            destination[..text.Length].Replace((byte)'\n', (byte)' ');
        }
    }

    private static bool TryWriteNumberLine(byte prefix, long value, Span<byte> destination, out int written)
    {
        Span<byte> digits = stackalloc byte[MaxIntegerLength];
        int length = FormatInteger(value, digits);
        int size = 1 + length + 2;
        if (destination.Length < size)
        {
            written = 0;
            return false;
        }
        destination[0] = prefix;
        digits[..length].CopyTo(destination[1..]);
        WriteCrlf(destination[(1 + length)..]);
        written = size;
        return true;
    }

    private static int FormatInteger(long value, Span<byte> digits)
    {
        // 20 bytes always hold a long, so this cannot fail.
        value.TryFormat(digits, out int length, default, CultureInfo.InvariantCulture);
        return length;
    }

    private static bool TryWriteBytes(ReadOnlySpan<byte> bytes, Span<byte> destination, out int written)
    {
        if (!bytes.TryCopyTo(destination))
        {
            written = 0;
            return false;
        }
        written = bytes.Length;
        return true;
    }

    private static void WriteCrlf(Span<byte> destination)
    {
        destination[0] = (byte)'\r';
        destination[1] = (byte)'\n';
    }
}
