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

    /// <summary>
    /// The cursor's position as one number, for a client to hand back (SCAN); 0 once complete.
    /// <code>
    /// [63..56] shard + 1      [55..50] log2 of the shard's fixed bucket count + 1 (0: not fixed yet)
    /// [49.. 0] position within the shard
    /// </code>
    /// </summary>
    public ulong Token => IsComplete
        ? 0
        : ((ulong)(uint)(_shard + 1) << 56)
          | ((_baseSize == 0 ? 0UL : (uint)(System.Numerics.BitOperations.Log2((uint)_baseSize) + 1)) << 50)
          | (uint)_position;

    internal static SnapshotCursor? FromToken(CacheEngine engine, ulong token)
    {
        var cursor = new SnapshotCursor(engine);
        if (token == 0)
        {
            return cursor;
        }
        int shard = (int)(token >> 56) - 1;
        int log = (int)((token >> 50) & 0x3F);
        ulong position = token & ((1UL << 50) - 1);
        if (shard < 0 || shard >= engine.ShardCount || log > 31)
        {
            return null;
        }
        int baseSize = log == 0 ? 0 : 1 << (log - 1);
        if (position > (ulong)baseSize)
        {
            return null;
        }
        cursor._shard = shard;
        cursor._baseSize = baseSize;
        cursor._position = (int)position;
        return cursor;
    }

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
