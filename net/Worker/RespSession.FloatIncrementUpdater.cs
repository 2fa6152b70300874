using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// INCRBYFLOAT: reads the current value as a float (none: 0), adds the increment and stores the sum as text;
    /// the text is also copied to <c>result</c> for the reply.
    /// </summary>
    private ref struct FloatIncrementUpdater(FloatNumber increment, Span<byte> result) : IValueUpdater
    {
        private readonly Span<byte> _result = result;

        public int ResultLength { get; private set; }

        /// <summary>The stored value is not a float ("value is not a valid float").</summary>
        public bool InvalidValue { get; private set; }

        /// <summary>The sum is infinite or NaN ("increment would produce NaN or Infinity").</summary>
        public bool NotFinite { get; private set; }

        public readonly int MaxLength(bool exists, in ItemView current) => FloatText.MaxLength;

        public CacheStatus Update(bool exists, in ItemView current, Span<byte> destination, out int length)
        {
            length = 0;
            FloatNumber value = FloatNumber.Zero;
            if (exists)
            {
                int stored = current.ValueLength;
                if (stored >= FloatText.MaxInputLength)
                {
                    InvalidValue = true;
                    return CacheStatus.NotANumber;
                }
                Span<byte> plain = stackalloc byte[stored];
                current.TryCopyValueTo(plain);
                if (!FloatText.TryParse(plain, out value))
                {
                    InvalidValue = true;
                    return CacheStatus.NotANumber;
                }
            }
            if (!FloatText.TryAdd(value, increment, out FloatNumber sum))
            {
                NotFinite = true;
                return CacheStatus.NotANumber;
            }
            length = FloatText.Format(sum, destination);
            destination[..length].CopyTo(_result);
            ResultLength = length;
            return CacheStatus.Ok;
        }
    }
}
