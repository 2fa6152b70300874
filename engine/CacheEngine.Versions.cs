namespace EchoCache.Engine;

// What the orchestrator needs to decide a read-modify-write command on one worker and replicate its outcome to
// the other copy under one version it assigned: writes stamped with that version, a look at what a key holds
// afterwards (tombstones and expired items included), and a flush that is a barrier in version order.
public sealed partial class CacheEngine
{
    private ulong _flushFloor;

    /// <summary>
    /// The highest version <see cref="FlushBelow"/> was given (0 before any): replica writes
    /// (<see cref="WriteCondition.IfNewer"/>) at or below it answer <see cref="CacheStatus.Stale"/>. Only ever raised.
    /// </summary>
    public ulong FlushFloor => Volatile.Read(ref _flushFloor);

    /// <summary>
    /// Until the returned stamp is disposed, every write this engine makes on the calling thread stores exactly
    /// <paramref name="version"/> as its item's version, on every path (sets, increments, updates, touches,
    /// expiry changes, renames and copies, MSETNX), and every removal leaves a tombstone carrying it instead, for
    /// the tombstone retention, as a replica delete does: a delete, a GETDEL, an expiry set at or before now, a
    /// rename's source. A removal still answers as it does unstamped, and one that finds nothing live leaves nothing.
    /// Conditions (<see cref="WriteCondition.IfAbsent"/>, <see cref="WriteCondition.IfPresent"/>,
    /// <see cref="WriteCondition.IfVersionMatches"/>) still apply, and a write they refuse changes nothing; a
    /// replica write (<see cref="WriteCondition.IfNewer"/>) keeps its own version. An expired item a read or a
    /// write meets is still removed without a tombstone. Writes on other threads, or to other engines, are not
    /// stamped. Stamps do not nest. Use: <c>using (engine.StampVersions(v)) { ...the command's engine calls... }</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is 0.</exception>
    /// <exception cref="InvalidOperationException">A stamp is already active on this thread.</exception>
    public VersionStamp StampVersions(ulong version) => new(this, version);

    /// <summary>
    /// Hands whatever the table holds for a key to <paramref name="sink"/>, as it is: a live item, an expired one
    /// (not removed), or a tombstone (<see cref="ItemView.IsTombstone"/>, its expiry the end of its retention).
    /// Answers <see cref="CacheStatus.NotFound"/> when the table holds nothing for the key. Unlike
    /// <see cref="Get"/>, it counts no hit or miss and does not mark the item recently used. After a stamped
    /// command, an item whose version is the stamp's is that command's outcome for the key.
    /// </summary>
    public CacheStatus Inspect<TSink>(ReadOnlySpan<byte> key, ref TSink sink)
        where TSink : IItemSink, allows ref struct
    {
        if (!KeyFits(key)) return CacheStatus.KeyTooLarge;
        ulong hash = KeyHash.Compute(key);
        return ShardFor(hash).Inspect(key, hash, ref sink);
    }

    /// <summary>
    /// Removes every item and tombstone whose version is at or below <paramref name="floor"/>, keeps newer ones,
    /// and raises <see cref="FlushFloor"/> to it: afterwards a replica write at or below the floor answers
    /// <see cref="CacheStatus.Stale"/> and changes nothing, even where the table holds nothing for its key. A
    /// flush that is a barrier in version order: writes older than it that arrive after it cannot come back, and
    /// newer ones that arrived first stay. Local writes after it take versions above the floor. Each shard is
    /// flushed under its lock; a shard holding nothing newer than the floor is emptied whole, pages included.
    /// <see cref="Flush"/> still empties everything and leaves the floor alone.
    /// </summary>
    public void FlushBelow(ulong floor)
    {
        // Each shard keeps the floor too, checked under its own lock: a replica write either lands before its
        // shard is walked (and goes with it) or sees the floor.
        ulong seen = Volatile.Read(ref _flushFloor);
        while (floor > seen)
        {
            ulong previous = Interlocked.CompareExchange(ref _flushFloor, floor, seen);
            if (previous == seen) break;
            seen = previous;
        }
        foreach (Shard shard in _shards) shard.FlushBelow(floor);
    }
}
