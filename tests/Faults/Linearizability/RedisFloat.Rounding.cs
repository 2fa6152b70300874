namespace EchoCache.Faults.Linearizability;

internal static partial class RedisFloat
{
    /// <summary>How a value came out of rounding to a long double.</summary>
    private enum Rounding
    {
        /// <summary>A finite value (nonzero, or an exact 0).</summary>
        Exact,

        /// <summary>Too large: infinite.</summary>
        Overflow,

        /// <summary>Nonzero but too small even for the subnormal range: rounded to 0.</summary>
        Underflow,
    }
}
