namespace EchoCache.Engine;

/// <summary>A sink that takes nothing: for operations whose caller needs no item back.</summary>
public struct DiscardSink : IItemSink
{
    /// <inheritdoc />
    public readonly void Accept(in ItemView item)
    {
    }
}
