namespace EchoCache.Faults.Lab;

/// <summary>Which traffic a partition drops, seen from the host whose namespace holds the rule.</summary>
[Flags]
internal enum PartitionDirection
{
    /// <summary>What the host receives from the peer.</summary>
    Inbound = 1,

    /// <summary>What the host sends to the peer.</summary>
    Outbound = 2,

    /// <summary>Both ways.</summary>
    Both = Inbound | Outbound,
}
