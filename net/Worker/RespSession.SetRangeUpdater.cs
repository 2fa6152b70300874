using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>SETRANGE: overwrites part of the value at an offset, padding with zero bytes up to it.</summary>
    private ref struct SetRangeUpdater(int offset, ReadOnlySpan<byte> patch) : IValueUpdater
    {
        private readonly ReadOnlySpan<byte> _patch = patch;

        /// <summary>The new value's length, once applied.</summary>
        public int NewLength { get; private set; }

        public readonly int MaxLength(bool exists, in ItemView current) =>
            Math.Max(exists ? current.ValueLength : 0, offset + _patch.Length);

        public CacheStatus Update(bool exists, in ItemView current, Span<byte> destination, out int length)
        {
            int old = 0;
            if (exists)
            {
                old = current.ValueLength;
                current.TryCopyValueTo(destination);
            }
            if (offset > old)
            {
                destination[old..offset].Clear();
            }
            _patch.CopyTo(destination[offset..]);
            length = Math.Max(old, offset + _patch.Length);
            NewLength = length;
            return CacheStatus.Ok;
        }
    }
}
