using System.Numerics;

namespace EchoCache.Faults.Linearizability;

internal static partial class RedisFloat
{
    /// <summary>A long double: (-1)^Negative × Mantissa × 2^Exponent (Mantissa below 2^64), or an infinity.</summary>
    private readonly record struct Number(bool Negative, BigInteger Mantissa, long Exponent, bool Infinite);
}
