using EchoCache.Engine;

namespace EchoCache.Bench;

/// <summary>
/// Copies a found item's value into a preallocated buffer, as a server copies it into its send buffer:
/// the engine-side equivalent of the baseline copying its <c>byte[]</c> value out.
/// </summary>
public struct CopySink : IItemSink
{
    private readonly byte[] _buffer;

    /// <summary>A sink writing into <paramref name="buffer"/>, which must hold the largest value read.</summary>
    public CopySink(byte[] buffer)
    {
        _buffer = buffer;
        Length = 0;
    }

    /// <summary>Length of the last value copied.</summary>
    public int Length { get; private set; }

    /// <inheritdoc />
    public void Accept(in ItemView item)
    {
        Length = item.TryCopyValueTo(_buffer) ? item.ValueLength : -1;
    }
}
