using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>
/// Copies a value out and checks it is an intact <see cref="StressValue"/> of <see cref="ExpectedKey"/>
/// (or, when that is null, of the key it came with).
/// </summary>
public struct ValidatingSink(byte[]? expectedKey) : IItemSink
{
    public readonly byte[]? ExpectedKey = expectedKey;
    public int Writer;
    public long Sequence;
    public ulong Version;
    public bool Tombstone;
    public string? Problem;
    public int Calls;

    public void Accept(in ItemView item)
    {
        Calls++;
        Version = item.Version;
        Tombstone = item.IsTombstone;
        if (ExpectedKey != null && !item.Key.SequenceEqual(ExpectedKey))
        {
            Problem = "item of another key";
            return;
        }
        if (item.IsTombstone)
        {
            return;
        }
        byte[] value = new byte[item.ValueLength];
        if (!item.TryCopyValueTo(value))
        {
            Problem = "value does not decode";
            return;
        }
        if (!StressValue.TryRead(value, item.Key, out Writer, out Sequence, out string problem))
        {
            Problem = problem;
        }
    }
}
