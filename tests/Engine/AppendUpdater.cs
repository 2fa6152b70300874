using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>APPEND for engine tests: the current value (none: empty) followed by a suffix.</summary>
public readonly struct AppendUpdater(byte[] suffix) : IValueUpdater
{
    public int MaxLength(bool exists, in ItemView current) => (exists ? current.ValueLength : 0) + suffix.Length;

    public CacheStatus Update(bool exists, in ItemView current, Span<byte> destination, out int length)
    {
        int head = exists ? current.ValueLength : 0;
        if (exists)
        {
            Assert.True(current.TryCopyValueTo(destination));
        }
        suffix.CopyTo(destination[head..]);
        length = head + suffix.Length;
        return CacheStatus.Ok;
    }
}
