namespace EchoCache.Faults.Linearizability;

/// <summary>What the checker concluded.</summary>
public enum LinearizabilityVerdict
{
    /// <summary>Some order of the operations, consistent with real time, explains every answer.</summary>
    Linearizable,

    /// <summary>No such order exists: the cache broke its promise (the explanation says where).</summary>
    NotLinearizable,

    /// <summary>The search ran out of its step or time budget before deciding.</summary>
    Unknown,
}
