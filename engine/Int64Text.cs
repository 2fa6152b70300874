namespace EchoCache.Engine;

/// <summary>
/// Strict decimal text for 64-bit integers, as Redis reads them: an optional '-', then digits with no
/// leading zero (except "0" itself), no spaces, no '+', nothing after.
/// </summary>
public static class Int64Text
{
    /// <summary>Longest text of a long: "-9223372036854775808".</summary>
    public const int MaxLength = 20;

    /// <summary>Parses <paramref name="text"/> strictly; false on anything else or on overflow.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }
        bool negative = text[0] == (byte)'-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || (digits[0] == (byte)'0' && (digits.Length > 1 || negative)))
        {
            return false;
        }
        ulong magnitude = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }
            magnitude = magnitude * 10 + digit;
        }
        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }
            value = (long)(0 - magnitude);
        }
        else
        {
            if (magnitude > long.MaxValue)
            {
                return false;
            }
            value = (long)magnitude;
        }
        return true;
    }

    /// <summary>Writes <paramref name="value"/> as decimal text; returns the length (destination needs <see cref="MaxLength"/>).</summary>
    public static int Format(long value, Span<byte> destination)
    {
        ulong magnitude = value < 0 ? 0 - (ulong)value : (ulong)value;
        Span<byte> scratch = stackalloc byte[MaxLength];
        int at = MaxLength;
        do
        {
            scratch[--at] = (byte)('0' + (int)(magnitude % 10));
            magnitude /= 10;
        }
        while (magnitude != 0);
        if (value < 0)
        {
            scratch[--at] = (byte)'-';
        }
        scratch[at..].CopyTo(destination);
        return MaxLength - at;
    }
}
