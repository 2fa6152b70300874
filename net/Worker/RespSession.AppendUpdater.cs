using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>APPEND: the current value (none: empty) followed by the suffix.</summary>
    private ref struct AppendUpdater(ReadOnlySpan<byte> suffix) : IValueUpdater
    {
        private readonly ReadOnlySpan<byte> _suffix = suffix;

        /// <summary>The new value's length, once applied.</summary>
        public int NewLength { get; private set; }

        /// <summary>The result would pass the bulk cap: Redis's "string exceeds maximum allowed size".</summary>
        public bool TooLong { get; private set; }

        public int MaxLength(bool exists, in ItemView current)
        {
            // Both lengths are at most 64 MiB, so the sum fits an int; the engine refuses anything past 64 MiB.
            int total = (exists ? current.ValueLength : 0) + _suffix.Length;
            TooLong = total > RespLimits.MaxBulkLength;
            return total;
        }

        public CacheStatus Update(bool exists, in ItemView current, Span<byte> destination, out int length)
        {
            int head = 0;
            if (exists)
            {
                head = current.ValueLength;
                current.TryCopyValueTo(destination);
            }
            _suffix.CopyTo(destination[head..]);
            length = head + _suffix.Length;
            NewLength = length;
            return CacheStatus.Ok;
        }
    }
}
