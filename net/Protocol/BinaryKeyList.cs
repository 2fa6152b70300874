using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

/// <summary>
/// The keys of an MGET body: a sequence of <c>[u16 key length][key]</c>. Enumerating it copies nothing.
/// It stops at the first entry that does not fit, but the request parser has already refused such a body.
/// </summary>
public readonly ref struct BinaryKeyList
{
    private readonly ReadOnlySpan<byte> _body;

    /// <summary>Wraps an MGET body.</summary>
    public BinaryKeyList(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>Enumerates the keys in order.</summary>
    public Enumerator GetEnumerator() => new(_body);

    /// <summary>
    /// Checks a body: 1 to <see cref="BinaryProtocol.MaxBatchCount"/> keys of 1 to 250 bytes, filling it exactly.
    /// Returns <see cref="BinaryStatus.Ok"/>, <see cref="BinaryStatus.TooLarge"/> or <see cref="BinaryStatus.BadRequest"/>.
    /// </summary>
    public static BinaryStatus Validate(ReadOnlySpan<byte> body, out int count)
    {
        count = 0;
        int position = 0;
        while (position < body.Length)
        {
            if (body.Length - position < BinaryProtocol.BatchKeyPrefixSize)
            {
                return BinaryStatus.BadRequest;
            }
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body[position..]);
            position += BinaryProtocol.BatchKeyPrefixSize;
            if (keyLength == 0)
            {
                return BinaryStatus.BadRequest;
            }
            if (keyLength > BinaryProtocol.MaxKeyLength)
            {
                return BinaryStatus.TooLarge;
            }
            if (keyLength > body.Length - position)
            {
                return BinaryStatus.BadRequest;
            }
            position += keyLength;
            if (++count > BinaryProtocol.MaxBatchCount)
            {
                return BinaryStatus.TooLarge;
            }
        }
        return count == 0 ? BinaryStatus.BadRequest : BinaryStatus.Ok;
    }

    /// <summary>Walks the keys of an MGET body.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _body;
        private int _position;

        internal Enumerator(ReadOnlySpan<byte> body)
        {
            _body = body;
            _position = 0;
            Current = default;
        }

        /// <summary>The current key.</summary>
        public ReadOnlySpan<byte> Current { get; private set; }

        /// <summary>Moves to the next key; false at the end (or at an entry that does not fit).</summary>
        public bool MoveNext()
        {
            ReadOnlySpan<byte> rest = _body[_position..];
            if (rest.Length < BinaryProtocol.BatchKeyPrefixSize)
            {
                return false;
            }
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(rest);
            if (keyLength > rest.Length - BinaryProtocol.BatchKeyPrefixSize)
            {
                return false;
            }
            Current = rest.Slice(BinaryProtocol.BatchKeyPrefixSize, keyLength);
            _position += BinaryProtocol.BatchKeyPrefixSize + keyLength;
            return true;
        }
    }
}
