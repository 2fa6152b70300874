namespace EchoCache.Engine;

/// <summary>
/// Receives an item while the engine holds the item's shard lock: copy what you need out of the view
/// and return quickly. The view's spans point into engine memory and must not outlive the call.
/// A sink must not call back into the engine: the shard lock is reentrant, so a nested write would run
/// inside the outer operation (which may be part-way through moving a page) and could corrupt the shard.
/// </summary>
public interface IItemSink
{
    /// <summary>Called once per item found.</summary>
    void Accept(in ItemView item);
}
