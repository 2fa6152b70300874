using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Copies a value into a buffer it was given: a sink that allocates nothing.</summary>
public struct BufferSink(byte[] buffer) : IItemSink
{
    private readonly byte[] _buffer = buffer;

    public int Length;
    public ulong Version;

    public void Accept(in ItemView item)
    {
        Length = item.ValueLength;
        Version = item.Version;
        if (!item.TryCopyValueTo(_buffer))
        {
            Length = -1;
        }
    }
}
