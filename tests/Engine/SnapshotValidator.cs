using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>
/// Copies what a snapshot yields (quickly, as sinks should: the shard lock is held) and later checks every value
/// is an intact <see cref="StressValue"/> of its key (counters excepted).
/// </summary>
public struct SnapshotValidator() : IItemSink
{
    private readonly List<(byte[] Key, byte[] Value)> _pending = [];

    public string? Problem { get; private set; }

    public int Yielded { get; private set; }

    public void Accept(in ItemView item)
    {
        Yielded++;
        if (item.IsTombstone || item.Key.StartsWith("counter:"u8))
        {
            return;
        }
        byte[] value = new byte[item.ValueLength];
        if (!item.TryCopyValueTo(value))
        {
            Problem ??= "value does not decode";
            return;
        }
        _pending.Add((item.Key.ToArray(), value));
    }

    /// <summary>Checks what was copied since the last call; returns <see cref="Problem"/>.</summary>
    public string? Validate()
    {
        foreach ((byte[] key, byte[] value) in _pending)
        {
            if (!StressValue.TryRead(value, key, out _, out _, out string problem))
            {
                Problem ??= problem;
            }
        }
        _pending.Clear();
        return Problem;
    }
}
