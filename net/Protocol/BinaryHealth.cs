using System.Buffers.Binary;

namespace EchoCache.Net.Protocol;

/// <summary>
/// The value of a HEALTH reply: who the worker is and how full it is.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///  0     u64  instance id   random, non-zero, chosen at process start: a new id means the worker restarted (empty)
///  8     u64  uptime ms
/// 16     u64  items         live items
/// 24     u64  memory used   native bytes held by the engine
/// 32     u64  memory limit  bytes
/// </code>
/// Little-endian. Later versions may append fields: a reader takes the first 40 bytes and ignores the rest.
/// </remarks>
public readonly struct BinaryHealth
{
    /// <summary>Encoded size.</summary>
    public const int Size = 40;

    /// <summary>Random, non-zero, chosen at process start; it changes when the worker restarts.</summary>
    public ulong InstanceId { get; init; }

    /// <summary>Milliseconds since the worker started.</summary>
    public ulong UptimeMs { get; init; }

    /// <summary>Live items.</summary>
    public ulong Items { get; init; }

    /// <summary>Native bytes the engine holds.</summary>
    public ulong MemoryUsed { get; init; }

    /// <summary>The engine's memory limit in bytes.</summary>
    public ulong MemoryLimit { get; init; }

    /// <summary>Writes the 40-byte encoding; false when out of room.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        if (destination.Length < Size)
        {
            written = 0;
            return false;
        }
        Span<byte> target = destination[..Size];
        BinaryPrimitives.WriteUInt64LittleEndian(target, InstanceId);
        BinaryPrimitives.WriteUInt64LittleEndian(target[8..], UptimeMs);
        BinaryPrimitives.WriteUInt64LittleEndian(target[16..], Items);
        BinaryPrimitives.WriteUInt64LittleEndian(target[24..], MemoryUsed);
        BinaryPrimitives.WriteUInt64LittleEndian(target[32..], MemoryLimit);
        written = Size;
        return true;
    }

    /// <summary>Reads a HEALTH reply value; false when it is shorter than 40 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out BinaryHealth health)
    {
        if (source.Length < Size)
        {
            health = default;
            return false;
        }
        health = new BinaryHealth
        {
            InstanceId = BinaryPrimitives.ReadUInt64LittleEndian(source),
            UptimeMs = BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            Items = BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            MemoryUsed = BinaryPrimitives.ReadUInt64LittleEndian(source[24..]),
            MemoryLimit = BinaryPrimitives.ReadUInt64LittleEndian(source[32..]),
        };
        return true;
    }
}
