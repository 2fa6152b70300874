namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// A number INCRBYFLOAT works on: a decimal while it fits one, so decimal input adds without binary
    /// rounding error (Redis adds in long double, whose extra precision hides that error behind its 17 printed
    /// decimals); a double beyond that.
    /// </summary>
    private readonly struct FloatNumber
    {
        private FloatNumber(decimal value, double approximation, bool isDecimal)
        {
            Decimal = value;
            Double = approximation;
            IsDecimal = isDecimal;
        }

        public decimal Decimal { get; }

        public double Double { get; }

        public bool IsDecimal { get; }

        public static FloatNumber Zero => FromDecimal(0m);

        public static FloatNumber FromDecimal(decimal value) => new(value, (double)value, isDecimal: true);

        public static FloatNumber FromDouble(double value) => new(0m, value, isDecimal: false);
    }
}
