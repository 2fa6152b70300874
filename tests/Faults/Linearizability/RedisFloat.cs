using System.Globalization;
using System.Numerics;
using System.Text;

namespace EchoCache.Faults.Linearizability;

/// <summary>
/// INCRBYFLOAT as Redis computes it, for <see cref="RegisterModel"/>: the stored text read as a C long double
/// (x87 80-bit extended: a 64-bit mantissa) the way string2ld reads it, the increment added with one rounding
/// (to nearest, ties to even), and the sum written as printf("%.17Lf") does with Redis's trims (trailing zeros,
/// a bare point, "-0"). Exact rational arithmetic stands in for the floating-point unit, so the text is the
/// one the cache stores — a model that computed in double would disagree in the last digits
/// ("1000.19999999999999996") and raise false alarms.
/// </summary>
/// <remarks>
/// Written from Redis's description (util.c string2ld/ld2string, t_string.c incrbyfloatCommand) and the C
/// standard, not from the cache's code; <c>FloatIncrementAgreementTests</c> checks the two agree on a real worker.
/// </remarks>
internal static partial class RedisFloat
{
    /// <summary>Redis's MAX_LONG_DOUBLE_CHARS: a text this long or longer is not a valid float.</summary>
    private const int MaxInputLength = 5 * 1024;

    private const int MantissaBits = 64;

    /// <summary>The unit of the largest finite values: below 2^16384 with a 64-bit mantissa.</summary>
    private const long MaxExponent = 16384 - MantissaBits;

    /// <summary>The unit of the smallest normal values (2^-16382 has mantissa 2^63), and of every subnormal one.</summary>
    private const long MinExponent = -16382 - (MantissaBits - 1);

    /// <summary>Decimal digits before (or zeros after) the point beyond which a text overflows or underflows anyway.</summary>
    private const int MaxDecimalMagnitude = 5000;

    private static readonly BigInteger DecimalScale = BigInteger.Pow(10, 17);

    private static readonly BigInteger MantissaLimit = BigInteger.One << MantissaBits;

    /// <summary>
    /// The text INCRBYFLOAT stores and answers for <paramref name="current"/> (null: missing, counts as 0) plus
    /// <paramref name="increment"/>; false when Redis refuses it, changing nothing: either text is not a valid
    /// float ("value is not a valid float"), or the sum is infinite or NaN.
    /// </summary>
    public static bool TryIncrement(string? current, string increment, out string result)
    {
        result = "";
        if (!TryParse(increment, out Number delta) || !TryParse(current ?? "0", out Number value))
        {
            return false;
        }
        if (!TryAdd(value, delta, out Number sum))
        {
            return false;
        }
        result = Format(sum);
        return true;
    }

    /// <summary>
    /// Reads a whole text as string2ld does: strtold's syntax (decimal with an optional "e" exponent,
    /// hexadecimal "0x…" with an optional "p" exponent, "inf"/"infinity", a sign before any of them), no
    /// leading blank, nothing left over; NaN is refused, and so is a finite text that rounds to infinity or to 0.
    /// </summary>
    private static bool TryParse(string text, out Number value)
    {
        value = default;
        if (text.Length == 0 || Encoding.UTF8.GetByteCount(text) >= MaxInputLength || IsBlank(text[0]))
        {
            return false;
        }
        bool negative = text[0] == '-';
        string rest = text[0] is '-' or '+' ? text[1..] : text;
        if (rest.Equals("inf", StringComparison.OrdinalIgnoreCase) || rest.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = new Number(negative, BigInteger.Zero, 0, Infinite: true);
            return true;
        }
        bool hex = rest.Length >= 2 && rest[0] == '0' && (rest[1] is 'x' or 'X');
        if (hex)
        {
            rest = rest[2..];
        }

        var digits = new StringBuilder(rest.Length);
        int fractionDigits = 0;
        bool point = false;
        int i = 0;
        for (; i < rest.Length; i++)
        {
            char c = rest[i];
            if (c == '.' && !point)
            {
                point = true;
            }
            else if (hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c))
            {
                digits.Append(c);
                fractionDigits += point ? 1 : 0;
            }
            else
            {
                break;
            }
        }
        if (digits.Length == 0)
        {
            return false;
        }
        long exponent = 0;
        if (i < rest.Length && (char.ToLowerInvariant(rest[i]) != (hex ? 'p' : 'e') || !TryParseExponent(rest[(i + 1)..], out exponent)))
        {
            return false;
        }

        BigInteger magnitude = hex
            ? BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        if (magnitude.IsZero)
        {
            value = new Number(negative, BigInteger.Zero, 0, Infinite: false);
            return true;
        }
        if (hex)
        {
            // Every hexadecimal digit after the point is 4 bits; "p" scales by a power of two.
            return Round(negative, magnitude, BigInteger.One, exponent - (4L * fractionDigits), out value) == Rounding.Exact;
        }
        long power = exponent - fractionDigits;
        long leading = (long)BigInteger.Log10(magnitude) + 1 + power;
        if (leading > MaxDecimalMagnitude || leading < -MaxDecimalMagnitude)
        {
            return false;
        }
        return power >= 0
            ? Round(negative, magnitude * BigInteger.Pow(10, (int)power), BigInteger.One, 0, out value) == Rounding.Exact
            : Round(negative, magnitude, BigInteger.Pow(10, (int)-power), 0, out value) == Rounding.Exact;
    }

    /// <summary>An optional sign and at least one digit, to the end of the text; saturated far beyond any finite range.</summary>
    private static bool TryParseExponent(string text, out long exponent)
    {
        exponent = 0;
        bool negative = text.Length > 0 && text[0] == '-';
        if (text.Length > 0 && text[0] is '-' or '+')
        {
            text = text[1..];
        }
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        foreach (char digit in text)
        {
            exponent = Math.Min((exponent * 10) + (digit - '0'), 1_000_000);
        }
        exponent = negative ? -exponent : exponent;
        return true;
    }

    /// <summary>The sum rounded once, as the floating-point unit adds; false when it is infinite or NaN.</summary>
    private static bool TryAdd(Number left, Number right, out Number sum)
    {
        sum = default;
        if (left.Infinite || right.Infinite)
        {
            return false;
        }
        if (left.Mantissa.IsZero || right.Mantissa.IsZero)
        {
            sum = left.Mantissa.IsZero ? right : left;
            return true;
        }
        long unit = Math.Min(left.Exponent, right.Exponent);
        BigInteger total = Signed(left, unit) + Signed(right, unit);
        if (total.IsZero)
        {
            return true; // x + -x is +0 when rounding to nearest
        }
        // A sum too small for the subnormal range rounds to 0 (sum stays 0); one too large is infinite.
        return Round(total.Sign < 0, BigInteger.Abs(total), BigInteger.One, unit, out sum) != Rounding.Overflow;
    }

    private static BigInteger Signed(Number value, long unit)
    {
        BigInteger magnitude = value.Mantissa << (int)(value.Exponent - unit);
        return value.Negative ? -magnitude : magnitude;
    }

    /// <summary>
    /// <c>numerator / denominator × 2^exponent</c> (both positive) as the nearest long double, ties to even:
    /// a mantissa below 2^64 in units of 2^e, e as small as keeps the mantissa under 2^64 but never below the
    /// subnormal unit.
    /// </summary>
    private static Rounding Round(bool negative, BigInteger numerator, BigInteger denominator, long exponent, out Number value)
    {
        value = default;
        // numerator / denominator lies in (2^(a-b-1), 2^(a-b+1)) for bit lengths a and b: in units of
        // 2^(exponent + a - b - 64) it is in (2^63, 2^65); one unit up if it reached 2^64.
        long unit = exponent + ((long)numerator.GetBitLength() - (long)denominator.GetBitLength()) - MantissaBits;
        if (Divide(numerator, denominator, exponent - unit, out _) >= MantissaLimit)
        {
            unit++;
        }
        unit = Math.Max(unit, MinExponent);
        BigInteger mantissa = Divide(numerator, denominator, exponent - unit, out int versusHalf);
        if (versusHalf > 0 || (versusHalf == 0 && !mantissa.IsEven))
        {
            mantissa += 1;
        }
        if (mantissa == MantissaLimit)
        {
            mantissa >>= 1;
            unit++;
        }
        if (unit > MaxExponent)
        {
            return Rounding.Overflow;
        }
        if (mantissa.IsZero)
        {
            return Rounding.Underflow;
        }
        value = new Number(negative, mantissa, unit, Infinite: false);
        return Rounding.Exact;
    }

    /// <summary>floor(numerator × 2^shift / denominator), and how the remainder compares with half a unit.</summary>
    private static BigInteger Divide(BigInteger numerator, BigInteger denominator, long shift, out int versusHalf)
    {
        BigInteger n = shift > 0 ? numerator << (int)shift : numerator;
        BigInteger d = shift < 0 ? denominator << (int)-shift : denominator;
        BigInteger quotient = BigInteger.DivRem(n, d, out BigInteger remainder);
        versusHalf = (remainder << 1).CompareTo(d);
        return quotient;
    }

    /// <summary>printf("%.17Lf") of a finite value (the exact binary value rounded to 17 decimals, ties to even), then Redis's trims.</summary>
    private static string Format(Number value)
    {
        BigInteger scaled;
        if (value.Exponent >= 0)
        {
            scaled = (value.Mantissa << (int)value.Exponent) * DecimalScale;
        }
        else
        {
            scaled = Divide(value.Mantissa * DecimalScale, BigInteger.One, value.Exponent, out int versusHalf);
            if (versusHalf > 0 || (versusHalf == 0 && !scaled.IsEven))
            {
                scaled += 1;
            }
        }
        string digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0');
        string text = $"{(value.Negative ? "-" : "")}{digits[..^17]}.{digits[^17..]}".TrimEnd('0').TrimEnd('.');
        return text == "-0" ? "0" : text;
    }

    /// <summary>C's isspace.</summary>
    private static bool IsBlank(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
