using System.Buffers;
using System.Globalization;
using System.Text;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>INCRBYFLOAT's number text, as Redis reads it (string2ld) and writes it (ld2string, human mode).</summary>
    private static class FloatText
    {
        /// <summary>
        /// Longest text <see cref="Format"/> writes: "%.17f" of the largest double is a sign, 309 digits, a point
        /// and 17 decimals.
        /// </summary>
        public const int MaxLength = 340;

        /// <summary>Redis's MAX_LONG_DOUBLE_CHARS: text this long or longer is not a valid float.</summary>
        public const int MaxInputLength = 5 * 1024;

        /// <summary>Decimals below this add without overflowing one (decimal's range is about 7.9e28).</summary>
        private const decimal DecimalLimit = 1e27m;

        private static readonly SearchValues<byte> NumberBytes = SearchValues.Create("0123456789+-.eE"u8);

        /// <summary>
        /// Parses as strtold does, strictly: the whole text, no blanks, "inf"/"infinity" with a sign allowed,
        /// "nan" refused. Hexadecimal floats, which strtold also reads, are refused.
        /// </summary>
        public static bool TryParse(ReadOnlySpan<byte> text, out FloatNumber value)
        {
            value = default;
            if (text.IsEmpty || text.Length >= MaxInputLength)
            {
                return false;
            }
            if (text.ContainsAnyExcept(NumberBytes))
            {
                bool negative = text[0] == (byte)'-';
                ReadOnlySpan<byte> word = text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
                if (Ascii.EqualsIgnoreCase(word, "inf"u8) || Ascii.EqualsIgnoreCase(word, "infinity"u8))
                {
                    value = FloatNumber.FromDouble(negative ? double.NegativeInfinity : double.PositiveInfinity);
                    return true;
                }
                return false;
            }
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal exact) &&
                Math.Abs(exact) < DecimalLimit)
            {
                value = FloatNumber.FromDecimal(exact);
                return true;
            }
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double approximate) &&
                !double.IsNaN(approximate))
            {
                value = FloatNumber.FromDouble(approximate);
                return true;
            }
            return false;
        }

        /// <summary>Adds; false when the sum is infinite or not a number (Redis refuses to store those).</summary>
        public static bool TryAdd(FloatNumber left, FloatNumber right, out FloatNumber sum)
        {
            if (left.IsDecimal && right.IsDecimal)
            {
                sum = FloatNumber.FromDecimal(left.Decimal + right.Decimal);
                return true;
            }
            double result = left.Double + right.Double;
            sum = FloatNumber.FromDouble(result);
            return double.IsFinite(result);
        }

        /// <summary>
        /// Writes "%.17f" with the trailing zeros (and a bare point) removed and "-0" made "0", as Redis's
        /// ld2string does in human mode. Returns the length; <paramref name="destination"/> needs <see cref="MaxLength"/>.
        /// </summary>
        public static int Format(FloatNumber value, Span<byte> destination)
        {
            int length;
            if (value.IsDecimal)
            {
                decimal.Round(value.Decimal, 17, MidpointRounding.ToEven)
                    .TryFormat(destination, out length, "F17", CultureInfo.InvariantCulture);
            }
            else
            {
                value.Double.TryFormat(destination, out length, "F17", CultureInfo.InvariantCulture);
            }
            if (destination[..length].Contains((byte)'.'))
            {
                while (destination[length - 1] == (byte)'0')
                {
                    length--;
                }
                if (destination[length - 1] == (byte)'.')
                {
                    length--;
                }
            }
            if (length == 2 && destination[0] == (byte)'-' && destination[1] == (byte)'0')
            {
                destination[0] = (byte)'0';
                length = 1;
            }
            return length;
        }
    }
}
