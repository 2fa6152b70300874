using System.Globalization;
using System.Numerics;
using System.Text;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// INCRBYFLOAT's arithmetic and number text, as Redis does them in long double: strtold to read (string2ld),
    /// a correctly rounded sum, and printf("%.17Lf") with trailing zeros removed to write (ld2string, human
    /// mode). Exact integer arithmetic (BigInteger) stands in for the x87 unit; INCRBYFLOAT is not a hot path.
    /// </summary>
    private static class FloatText
    {
        /// <summary>
        /// Longest text <see cref="Format"/> writes: the largest long double (about 1.19e4932) has 4933 integer
        /// digits; with a sign, a point and 17 decimals that is 4952 bytes.
        /// </summary>
        public const int MaxLength = 5000;

        /// <summary>Redis's MAX_LONG_DOUBLE_CHARS: text this long or longer is not a valid float.</summary>
        public const int MaxInputLength = 5 * 1024;

        private const int MantissaBits = 64;

        /// <summary>Largest exponent of a finite value: below 2^16384 with a 64-bit mantissa.</summary>
        private const int MaxExponent = 16384 - MantissaBits;

        /// <summary>Smallest exponent of a normal value (2^-16382), and the fixed one of subnormal values.</summary>
        private const int MinExponent = -16382 - (MantissaBits - 1);

        /// <summary>Decimal digits around the decimal point beyond which a value is out of range either way.</summary>
        private const int MaxDecimalMagnitude = 5000;

        private static readonly BigInteger DecimalScale = BigInteger.Pow(10, 17);

        private enum Rounded
        {
            Ok,
            Overflow,
            Underflow,
        }

        /// <summary>
        /// Reads <paramref name="text"/> as Redis's string2ld does: all of it must be a number strtold accepts
        /// (decimal, hexadecimal "0x1.8p3", "inf" or "infinity" with an optional sign), with no leading blank;
        /// NaN, and values that overflow or underflow to 0, are refused.
        /// </summary>
        public static bool TryParse(ReadOnlySpan<byte> text, out FloatNumber value)
        {
            value = default;
            if (text.IsEmpty || text.Length >= MaxInputLength || IsBlank(text[0]))
            {
                return false;
            }
            bool negative = text[0] == (byte)'-';
            ReadOnlySpan<byte> rest = text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
            if (Ascii.EqualsIgnoreCase(rest, "inf"u8) || Ascii.EqualsIgnoreCase(rest, "infinity"u8))
            {
                value = FloatNumber.Infinity(negative);
                return true;
            }
            if (rest.Length >= 2 && rest[0] == (byte)'0' && (rest[1] | 0x20) == 'x')
            {
                return TryParseDigits(rest[2..], negative, radix: 16, out value);
            }
            return TryParseDigits(rest, negative, radix: 10, out value);
        }

        /// <summary>
        /// Digits with an optional point and an optional exponent: "e" and a power of ten in decimal, "p" and a
        /// power of two in hexadecimal. At least one digit; the exponent, if its letter is there, needs digits.
        /// </summary>
        private static bool TryParseDigits(ReadOnlySpan<byte> text, bool negative, int radix, out FloatNumber value)
        {
            value = default;
            var digits = new StringBuilder(text.Length);
            int fraction = 0;
            bool point = false;
            int i = 0;
            for (; i < text.Length; i++)
            {
                byte c = text[i];
                if (c == (byte)'.' && !point)
                {
                    point = true;
                }
                else if (radix == 10 ? char.IsAsciiDigit((char)c) : char.IsAsciiHexDigit((char)c))
                {
                    digits.Append((char)c);
                    fraction += point ? 1 : 0;
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
            if (i < text.Length)
            {
                if ((text[i] | 0x20) != (radix == 10 ? 'e' : 'p') || !TryParseExponent(text[(i + 1)..], out exponent))
                {
                    return false;
                }
            }
            BigInteger magnitude = BigInteger.Parse(
                radix == 10 ? digits.ToString() : "0" + digits, // a leading 0 keeps hex digits unsigned
                radix == 10 ? NumberStyles.None : NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (magnitude.IsZero)
            {
                value = new FloatNumber(negative, 0, 0);
                return true;
            }
            if (radix == 16)
            {
                // Each hexadecimal digit after the point is 4 bits; the exponent is a power of two.
                return Round(negative, magnitude, BigInteger.One, exponent - (4L * fraction), out value) == Rounded.Ok;
            }
            long power = exponent - fraction;
            long leading = (long)BigInteger.Log10(magnitude) + 1 + power; // digits before the point
            if (leading > MaxDecimalMagnitude || leading < -MaxDecimalMagnitude)
            {
                return false;
            }
            return power >= 0
                ? Round(negative, magnitude * BigInteger.Pow(10, (int)power), BigInteger.One, 0, out value) == Rounded.Ok
                : Round(negative, magnitude, BigInteger.Pow(10, (int)-power), 0, out value) == Rounded.Ok;
        }

        /// <summary>An optional sign and at least one digit, to the end; saturated far beyond any usable range.</summary>
        private static bool TryParseExponent(ReadOnlySpan<byte> text, out long exponent)
        {
            exponent = 0;
            bool negative = !text.IsEmpty && text[0] == (byte)'-';
            if (!text.IsEmpty && text[0] is (byte)'-' or (byte)'+')
            {
                text = text[1..];
            }
            if (text.IsEmpty || text.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return false;
            }
            foreach (byte digit in text)
            {
                exponent = Math.Min(exponent * 10 + (digit - '0'), 1_000_000);
            }
            if (negative)
            {
                exponent = -exponent;
            }
            return true;
        }

        /// <summary>Adds as the x87 unit does (exact sum, rounded to nearest even); false when the sum is not finite.</summary>
        public static bool TryAdd(FloatNumber left, FloatNumber right, out FloatNumber sum)
        {
            sum = default;
            if (left.IsInfinity || right.IsInfinity)
            {
                return false; // inf, or NaN for inf - inf: Redis refuses both
            }
            if (left.IsZero || right.IsZero)
            {
                sum = left.IsZero ? right : left;
                return true;
            }
            int exponent = Math.Min(left.Exponent, right.Exponent);
            BigInteger total = Aligned(left, exponent) + Aligned(right, exponent);
            if (total.IsZero)
            {
                return true; // +0, as round-to-nearest gives for x + -x
            }
            // A sum that underflows is 0 (sum stays default), as the x87 unit rounds it.
            return Round(total.Sign < 0, BigInteger.Abs(total), BigInteger.One, exponent, out sum) != Rounded.Overflow;
        }

        private static BigInteger Aligned(FloatNumber value, int exponent)
        {
            BigInteger magnitude = new BigInteger(value.Mantissa) << (value.Exponent - exponent);
            return value.Negative ? -magnitude : magnitude;
        }

        /// <summary>
        /// Rounds <c>numerator / denominator × 2^exponent</c> (both positive) to a 64-bit mantissa, to nearest,
        /// ties to even.
        /// </summary>
        private static Rounded Round(bool negative, BigInteger numerator, BigInteger denominator, long exponent,
            out FloatNumber value)
        {
            value = default;
            // Scale so the quotient has 64 or 65 bits: numerator / denominator lies in [2^(n-d-1), 2^(n-d+1)).
            long shift = MantissaBits - ((long)numerator.GetBitLength() - (long)denominator.GetBitLength());
            BigInteger n = shift > 0 ? numerator << (int)shift : numerator;
            BigInteger d = shift < 0 ? denominator << (int)-shift : denominator;
            BigInteger quotient = BigInteger.DivRem(n, d, out BigInteger remainder);
            bool up;
            if (quotient.GetBitLength() > MantissaBits)
            {
                bool half = !quotient.IsEven;
                quotient >>= 1;
                shift--;
                up = half && (!remainder.IsZero || !quotient.IsEven);
            }
            else
            {
                int versusHalf = (remainder << 1).CompareTo(d);
                up = versusHalf > 0 || (versusHalf == 0 && !quotient.IsEven);
            }
            if (up)
            {
                quotient += 1;
                if (quotient.GetBitLength() > MantissaBits)
                {
                    quotient >>= 1;
                    shift--;
                }
            }
            long result = exponent - shift;
            if (result > MaxExponent)
            {
                return Rounded.Overflow;
            }
            if (result < MinExponent)
            {
                return RoundSubnormal(negative, numerator, denominator, exponent, out value);
            }
            value = new FloatNumber(negative, (ulong)quotient, (int)result);
            return Rounded.Ok;
        }

        /// <summary>
        /// Below the normal range the unit is fixed at 2^<see cref="MinExponent"/> and precision shrinks (x87
        /// denormals); a value that rounds to 0 there underflows.
        /// </summary>
        private static Rounded RoundSubnormal(bool negative, BigInteger numerator, BigInteger denominator, long exponent,
            out FloatNumber value)
        {
            value = default;
            long scale = exponent - MinExponent;
            BigInteger n = scale > 0 ? numerator << (int)scale : numerator;
            BigInteger d = scale < 0 ? denominator << (int)Math.Min(-scale, int.MaxValue) : denominator;
            BigInteger quotient = BigInteger.DivRem(n, d, out BigInteger remainder);
            int versusHalf = (remainder << 1).CompareTo(d);
            if (versusHalf > 0 || (versusHalf == 0 && !quotient.IsEven))
            {
                quotient += 1;
            }
            if (quotient.IsZero)
            {
                return Rounded.Underflow;
            }
            value = new FloatNumber(negative, (ulong)quotient, MinExponent);
            return Rounded.Ok;
        }

        /// <summary>
        /// Writes printf("%.17Lf") of a finite value, then Redis's trims: trailing zeros after the point, a bare
        /// point, and "-0" made "0". Returns the length; <paramref name="destination"/> needs <see cref="MaxLength"/>.
        /// </summary>
        public static int Format(FloatNumber value, Span<byte> destination)
        {
            // round(|value| × 10^17), to nearest even as glibc's printf rounds the exact binary value.
            BigInteger scaled;
            BigInteger mantissa = new(value.Mantissa);
            if (value.Exponent >= 0)
            {
                scaled = (mantissa << value.Exponent) * DecimalScale;
            }
            else
            {
                int shift = -value.Exponent;
                BigInteger exact = mantissa * DecimalScale;
                scaled = exact >> shift;
                int versusHalf = (exact - (scaled << shift)).CompareTo(BigInteger.One << (shift - 1));
                if (versusHalf > 0 || (versusHalf == 0 && !scaled.IsEven))
                {
                    scaled += 1;
                }
            }
            string digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0');
            int length = 0;
            if (value.Negative)
            {
                destination[length++] = (byte)'-';
            }
            length += Encoding.ASCII.GetBytes(digits.AsSpan(0, digits.Length - 17), destination[length..]);
            destination[length++] = (byte)'.';
            length += Encoding.ASCII.GetBytes(digits.AsSpan(digits.Length - 17), destination[length..]);
            while (destination[length - 1] == (byte)'0')
            {
                length--;
            }
            if (destination[length - 1] == (byte)'.')
            {
                length--;
            }
            if (length == 2 && destination[0] == (byte)'-' && destination[1] == (byte)'0')
            {
                destination[0] = (byte)'0';
                length = 1;
            }
            return length;
        }

        /// <summary>C's isspace.</summary>
        private static bool IsBlank(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
    }
}
