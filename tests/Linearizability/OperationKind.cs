namespace EchoCache.Tests.Linearizability;

/// <summary>What a recorded operation did to its key.</summary>
public enum OperationKind
{
    /// <summary>Stores <see cref="Operation.Input"/> under the key.</summary>
    Set,

    /// <summary>Reads the key: <see cref="Operation.Output"/> is the value read, or null when the key was missing.</summary>
    Get,

    /// <summary>Removes the key. Its reply (whether the key existed) is not recorded: see <see cref="Operation"/>.</summary>
    Delete,

    /// <summary>Adds the integer <see cref="Operation.Input"/> to the key (missing counts as 0); <see cref="Operation.Output"/> is the value after.</summary>
    Increment,
}
