namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// A number as INCRBYFLOAT holds it: an x87 80-bit extended value (C's long double on x86-64, where Redis
    /// computes INCRBYFLOAT), <c>(-1)^Negative × Mantissa × 2^Exponent</c> with a 64-bit mantissa that has its
    /// top bit set (normal), or is smaller at the least exponent (subnormal), or is 0. Emulated exactly, so sums
    /// and their printed digits, rounding noise included ("1000.19999999999999996"), are the ones Redis gives.
    /// </summary>
    private readonly struct FloatNumber(bool negative, ulong mantissa, int exponent, bool isInfinity = false)
    {
        public bool Negative { get; } = negative;

        public ulong Mantissa { get; } = mantissa;

        public int Exponent { get; } = exponent;

        public bool IsInfinity { get; } = isInfinity;

        public bool IsZero => Mantissa == 0 && !IsInfinity;

        public static FloatNumber Zero => default;

        public static FloatNumber Infinity(bool negative) => new(negative, 0, 0, isInfinity: true);
    }
}
