using System.Buffers;
using EchoCache.Engine;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// Copies an item's plain value out of the engine into a pooled array, for work too long to do under the shard
    /// lock (LCS); <see cref="Return"/> gives the array back. No item: an empty value.
    /// </summary>
    private struct ValueCopySink : IItemSink
    {
        private byte[]? _rented;
        private int _length;

        /// <summary>The value; empty when no item came.</summary>
        public readonly ReadOnlySpan<byte> Value => _rented.AsSpan(0, _length);

        public void Accept(in ItemView item)
        {
            _length = item.ValueLength;
            _rented = ArrayPool<byte>.Shared.Rent(_length);
            item.TryCopyValueTo(_rented);
        }

        /// <summary>Gives the array back to the pool.</summary>
        public void Return()
        {
            if (_rented != null)
            {
                ArrayPool<byte>.Shared.Return(_rented);
                _rented = null;
                _length = 0;
            }
        }
    }
}
