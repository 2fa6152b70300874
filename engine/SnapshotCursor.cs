namespace EchoCache.Engine;

/// <summary>
/// Iterates every live item (and tombstone) of an engine with its version, in batches, while writes go on.
/// Each batch holds one shard lock only for its own few buckets. An item present for the whole iteration is
/// yielded at least once; one written during it may or may not be (a resync gets those from live writes).
/// </summary>
public sealed class SnapshotCursor
{
    private readonly CacheEngine _engine;
    private int _shard;
    private int _position;
    private int _baseSize;

    internal SnapshotCursor(CacheEngine engine) => _engine = engine;

    /// <summary>Whether every shard has been visited.</summary>
    public bool IsComplete => _shard >= _engine.ShardCount;

    /// <summary>
    /// Hands the items of up to <paramref name="maxBuckets"/> buckets to <paramref name="sink"/>.
    /// Returns how many items it yielded (0 does not mean done: check <see cref="IsComplete"/>).
    /// </summary>
    public int Read<TSink>(ref TSink sink, int maxBuckets = 64)
        where TSink : IItemSink, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBuckets);
        int yielded = 0;
        while (!IsComplete && maxBuckets > 0)
        {
            int before = _position;
            yielded += _engine.ShardAt(_shard).Scan(ref _position, ref _baseSize, maxBuckets, ref sink);
            maxBuckets -= _position - before;
            if (_position >= _baseSize)
            {
                _shard++;
                _position = 0;
                _baseSize = 0;
            }
        }
        return yielded;
    }
}
