namespace EchoCache.Engine;

/// <summary>
/// Receives an item while the engine holds the item's shard lock: copy what you need out of the view
/// and return quickly. The view's spans point into engine memory and must not outlive the call.
/// </summary>
public interface IItemSink
{
    /// <summary>Called once per item found.</summary>
    void Accept(in ItemView item);
}
