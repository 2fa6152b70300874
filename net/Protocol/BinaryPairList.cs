using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

/// <summary>
/// The pairs of an MSET body: a sequence of <c>[u16 key length][u32 value length][key][value]</c>. Enumerating it
/// copies nothing. It stops at the first entry that does not fit, but the request parser has already refused
/// such a body.
/// </summary>
public readonly ref struct BinaryPairList
{
    private readonly ReadOnlySpan<byte> _body;

    /// <summary>Wraps an MSET body.</summary>
    public BinaryPairList(ReadOnlySpan<byte> body) => _body = body;

    /// <summary>Enumerates the pairs in order.</summary>
    public Enumerator GetEnumerator() => new(_body);

    /// <summary>
    /// Checks a body: 1 to <see cref="BinaryProtocol.MaxBatchCount"/> pairs, keys of 1 to 250 bytes, filling it
    /// exactly. Returns <see cref="BinaryStatus.Ok"/>, <see cref="BinaryStatus.TooLarge"/> or <see cref="BinaryStatus.BadRequest"/>.
    /// </summary>
    public static BinaryStatus Validate(ReadOnlySpan<byte> body, out int count)
    {
        count = 0;
        int position = 0;
        while (position < body.Length)
        {
            if (body.Length - position < BinaryProtocol.BatchPairPrefixSize)
            {
                return BinaryStatus.BadRequest;
            }
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body[position..]);
            uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(body[(position + 2)..]);
            position += BinaryProtocol.BatchPairPrefixSize;
            if (keyLength == 0)
            {
                return BinaryStatus.BadRequest;
            }
            if (keyLength > BinaryProtocol.MaxKeyLength)
            {
                return BinaryStatus.TooLarge;
            }
            // Compared as unsigned, so a length with its top bit set cannot pass for a small negative one.
            if ((ulong)keyLength + valueLength > (ulong)(body.Length - position))
            {
                return BinaryStatus.BadRequest;
            }
            position += keyLength + (int)valueLength;
            if (++count > BinaryProtocol.MaxBatchCount)
            {
                return BinaryStatus.TooLarge;
            }
        }
        return count == 0 ? BinaryStatus.BadRequest : BinaryStatus.Ok;
    }

    /// <summary>Walks the pairs of an MSET body.</summary>
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

        /// <summary>The current pair.</summary>
        public BinaryPair Current { get; private set; }

        /// <summary>Moves to the next pair; false at the end (or at an entry that does not fit).</summary>
        public bool MoveNext()
        {
            ReadOnlySpan<byte> rest = _body[_position..];
            if (rest.Length < BinaryProtocol.BatchPairPrefixSize)
            {
                return false;
            }
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(rest);
            uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(rest[2..]);
            if ((ulong)keyLength + valueLength > (ulong)(rest.Length - BinaryProtocol.BatchPairPrefixSize))
            {
                return false;
            }
            ReadOnlySpan<byte> entry = rest[BinaryProtocol.BatchPairPrefixSize..];
            Current = new BinaryPair(entry[..keyLength], entry.Slice(keyLength, (int)valueLength));
            _position += BinaryProtocol.BatchPairPrefixSize + keyLength + (int)valueLength;
            return true;
        }
    }
}
