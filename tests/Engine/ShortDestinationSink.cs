using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Offers a destination one byte too short and counts the refusals.</summary>
public struct ShortDestinationSink : IItemSink
{
    public int Refused;

    public void Accept(in ItemView item)
    {
        if (!item.TryCopyValueTo(new byte[item.ValueLength - 1]))
        {
            Refused++;
        }
    }
}
