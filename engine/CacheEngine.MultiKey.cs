using System.Numerics;

namespace EchoCache.Engine;

// Operations on more than one key, or on a whole value at once. Those that must be atomic across keys hold
// every shard lock they touch, taken in shard index order (the one lock order there is), and rely on the
// shard lock being reentrant for the single-key operations they call inside.
public sealed partial class CacheEngine
{
    /// <summary>
    /// Atomically rewrites a key's value (APPEND, SETRANGE, INCRBYFLOAT); the item keeps its expiry and
    /// flags, and a new one gets the options'. <see cref="WriteOptions.Condition"/> applies as for a set.
    /// </summary>
    public CacheStatus Update<TUpdater>(ReadOnlySpan<byte> key, ref TUpdater updater, in WriteOptions options,
        out ulong version)
        where TUpdater : IValueUpdater, allows ref struct
    {
        version = 0;
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        CacheStatus status = ExpiryOf(options, out long rawExpiry);
        if (status != CacheStatus.Ok) return status;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Update(key, hash, ref updater, options, rawExpiry, _compressionThreshold, out version);
    }

    /// <summary>
    /// Moves a key's item to another key, atomically, keeping its expiry and flags (RENAME; RENAMENX with
    /// <paramref name="onlyIfAbsent"/>, answering <see cref="CacheStatus.Exists"/> when the target exists).
    /// Stamped (<see cref="StampVersions"/>), the source leaves a tombstone; should that find no memory, the
    /// answer is <see cref="CacheStatus.OutOfMemory"/> with the target written and the source kept.
    /// </summary>
    public CacheStatus Rename(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool onlyIfAbsent) =>
        Transfer(source, target, replace: !onlyIfAbsent, removeSource: true);

    /// <summary>Copies a key's item to another key, atomically (COPY; REPLACE with <paramref name="replace"/>).</summary>
    public CacheStatus Copy(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool replace) =>
        Transfer(source, target, replace, removeSource: false);

    private CacheStatus Transfer(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target, bool replace, bool removeSource)
    {
        if (!KeyFits(source) || !KeyFits(target)) return CacheStatus.KeyTooLarge;
        Shard from = ShardFor(KeyHash.Compute(source));
        Shard to = ShardFor(KeyHash.Compute(target));
        Shard first = from.Index <= to.Index ? from : to;
        Shard second = ReferenceEquals(first, from) ? to : from;
        using (first.Gate.EnterScope())
        using (second.Gate.EnterScope())
        {
            var copy = new StoredCopy();
            if (Get(source, ref copy) != CacheStatus.Ok)
            {
                return CacheStatus.NotFound;
            }
            if (source.SequenceEqual(target))
            {
                return removeSource && replace ? CacheStatus.Ok : CacheStatus.Exists;
            }
            if (!replace && Contains(target))
            {
                return CacheStatus.Exists;
            }
            CacheStatus status = Set(target, copy.Value, copy.AsOptions(), out _);
            if (status == CacheStatus.Ok && removeSource)
            {
                // Only a stamped delete can fail, out of memory for the source's tombstone, leaving the source. A
                // source the target's write evicted is already gone (NotFound): the rename still happened.
                CacheStatus removed = Delete(source);
                if (removed == CacheStatus.OutOfMemory)
                {
                    return removed;
                }
            }
            return status;
        }
    }

    /// <summary>
    /// Stores every pair only if none of the keys holds a live item (MSETNX): all or nothing, atomically.
    /// Answers <see cref="CacheStatus.Exists"/> when a key exists and nothing was stored.
    /// </summary>
    public CacheStatus SetAllIfNoneExist<TPairs>(ref TPairs pairs)
        where TPairs : IKeyValuePairs, allows ref struct
    {
        for (int i = 0; i < pairs.Count; i++)
        {
            if (!KeyFits(pairs.Key(i))) return CacheStatus.KeyTooLarge;
        }
        // Rare enough to take every shard lock, in order, rather than sort the keys' shards.
        int locked = 0;
        try
        {
            for (; locked < _shards.Length; locked++)
            {
                _shards[locked].Gate.Enter();
            }
            for (int i = 0; i < pairs.Count; i++)
            {
                if (Contains(pairs.Key(i))) return CacheStatus.Exists;
            }
            for (int i = 0; i < pairs.Count; i++)
            {
                CacheStatus status = Set(pairs.Key(i), pairs.Value(i), default, out _);
                if (status != CacheStatus.Ok) return status;
            }
            return CacheStatus.Ok;
        }
        finally
        {
            while (locked > 0)
            {
                _shards[--locked].Gate.Exit();
            }
        }
    }

    /// <summary>Hands some live item to <paramref name="sink"/> (RANDOMKEY); false when the engine is empty.</summary>
    public bool TryGetRandom<TSink>(ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        ulong seed = (ulong)Random.Shared.NextInt64();
        int start = (int)(seed % (ulong)_shards.Length);
        for (int i = 0; i < _shards.Length; i++)
        {
            if (_shards[(start + i) % _shards.Length].TryRandom(BitOperations.RotateRight(seed, 17), ref sink))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Resumes an iteration from <see cref="SnapshotCursor.Token"/> (SCAN's cursor); 0 starts a new one.
    /// Returns null for a token no cursor of this engine produced.
    /// </summary>
    public SnapshotCursor? ResumeSnapshot(ulong token) => SnapshotCursor.FromToken(this, token);
}
