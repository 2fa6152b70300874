namespace EchoCache.Engine;

/// <summary>
/// Told of every item the engine evicts to make room (<see cref="EngineOptions.EvictionObserver"/>): a worker
/// reports them to the orchestrator, which deletes the key on the other copy too (docs/consistency.md, "Eviction").
/// </summary>
/// <remarks>
/// Called for an item, expired or not, that CLOCK or a page moving to another size class evicts; never for a
/// tombstone, for an expired item removed by the sweep or by a read or write that met it, for a delete, or for
/// <see cref="CacheEngine.Flush"/> and <see cref="CacheEngine.FlushBelow"/>. The call is made under the evicting
/// shard's lock, on whatever thread is writing: it must be quick, must not block on anything that may wait for an
/// engine call, and must not call the engine. A read of the key that takes the shard's lock after the eviction
/// finds the key gone, so anything the observer recorded is visible to whoever made that read.
/// </remarks>
public interface IEvictionObserver
{
    /// <summary>
    /// The item of <paramref name="key"/>, whose version was <paramref name="version"/>, was evicted. The span is
    /// valid only during the call.
    /// </summary>
    void OnEvicted(ReadOnlySpan<byte> key, ulong version);

    /// <summary>
    /// Whether <paramref name="evictions"/> more evictions at once (a whole page of small items: up to 43,690) can be
    /// taken now without losing any. The engine asks before it gives up a page to make room for its hash tables
    /// (engine/SlabArena.cs), which it may put off; evictions made to store an item are never put off. Called under a
    /// shard's lock, with the same constraints as <see cref="OnEvicted"/>. By default, always.
    /// </summary>
    bool HasRoomFor(int evictions) => true;
}
