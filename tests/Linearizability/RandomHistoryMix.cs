using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Linearizability;

/// <summary>Which operations a random history is made of.</summary>
public enum RandomHistoryMix
{
    /// <summary>Sets, gets and deletes on two keys.</summary>
    SetsGetsDeletes,

    /// <summary>The same and increments.</summary>
    Increments,

    /// <summary>Every kind but renames, on values each kind can turn into another's (numbers, appended digits, floats).</summary>
    DecidedWrites,

    /// <summary>Every kind, renames within a hash-tagged pair and to a third key included.</summary>
    Renames,
}
