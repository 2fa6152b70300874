using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// SETBIT: sets or clears one bit, padding the value with zero bytes up to the bit's byte. A bit that already
    /// holds the value in a value that need not grow leaves the item untouched, as Redis leaves it clean.
    /// </summary>
    private ref struct SetBitUpdater(long offset, bool set) : IValueUpdater
    {
        private readonly int _byte = (int)(offset >> 3);
        private readonly int _mask = 1 << (7 - (int)(offset & 7));

        /// <summary>The bit's value before the command, once applied.</summary>
        public bool WasSet { get; private set; }

        /// <summary>Nothing changed: the engine reports the abort, and the item stays as it was.</summary>
        public bool Unchanged { get; private set; }

        public readonly int MaxLength(bool exists, in ItemView current) =>
            Math.Max(exists ? current.ValueLength : 0, _byte + 1);

        public CacheStatus Update(bool exists, in ItemView current, Span<byte> destination, out int length)
        {
            int old = 0;
            if (exists)
            {
                old = current.ValueLength;
                current.TryCopyValueTo(destination);
            }
            length = Math.Max(old, _byte + 1);
            destination[old..length].Clear();
            WasSet = (destination[_byte] & _mask) != 0;
            if (exists && length == old && WasSet == set)
            {
                Unchanged = true;
                return CacheStatus.Exists;
            }
            destination[_byte] = (byte)(set ? destination[_byte] | _mask : destination[_byte] & ~_mask);
            return CacheStatus.Ok;
        }
    }
}
