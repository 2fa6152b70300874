using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace EchoCache.Engine;

/// <summary>
/// A read-only view of one stored item, valid only inside <see cref="IItemSink.Accept"/>.
/// The value is handed out as stored (possibly compressed, to forward as it is) or decompressed on request.
/// </summary>
public readonly ref struct ItemView
{
    internal ItemView(ReadOnlySpan<byte> key, ReadOnlySpan<byte> storedValue, ulong version, uint flags,
        long expiresAtUnixMs, bool compressed, bool tombstone)
    {
        Key = key;
        StoredValue = storedValue;
        Version = version;
        Flags = flags;
        ExpiresAtUnixMs = expiresAtUnixMs;
        IsCompressed = compressed;
        IsTombstone = tombstone;
    }

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value as stored: the engine's compressed form when <see cref="IsCompressed"/>.</summary>
    public ReadOnlySpan<byte> StoredValue { get; }

    /// <summary>The item's version (orchestrator-assigned or local); the CAS token.</summary>
    public ulong Version { get; }

    /// <summary>Client flags.</summary>
    public uint Flags { get; }

    /// <summary>Expiry in Unix milliseconds; 0 when the item never expires.</summary>
    public long ExpiresAtUnixMs { get; }

    /// <summary>Whether <see cref="StoredValue"/> is compressed (u32 original length, then an LZ4 block).</summary>
    public bool IsCompressed { get; }

    /// <summary>A delete marker (only snapshot iteration and <see cref="CacheEngine.Inspect"/> yield these).</summary>
    public bool IsTombstone { get; }

    /// <summary>Length of the value once decompressed.</summary>
    public int ValueLength => IsCompressed ? BinaryPrimitives.ReadInt32LittleEndian(StoredValue) : StoredValue.Length;

    /// <summary>
    /// Copies the plain value into <paramref name="destination"/>, decompressing if needed.
    /// Returns false if it does not fit (check <see cref="ValueLength"/> first).
    /// </summary>
    public bool TryCopyValueTo(Span<byte> destination)
    {
        if (!IsCompressed)
        {
            return StoredValue.TryCopyTo(destination);
        }
        int length = ValueLength;
        if (destination.Length < length)
        {
            return false;
        }
        // Stored values were checked to decode when written, so this cannot fail short of memory corruption.
        return LZ4Codec.Decode(StoredValue[4..], destination[..length]) == length;
    }
}
