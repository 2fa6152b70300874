namespace EchoCache.Faults.Linearizability;

/// <summary>Where a <see cref="PendingOperation"/> stands.</summary>
internal enum PendingState
{
    /// <summary>Invoked, no answer yet (a history taken now treats it as failed).</summary>
    Open,

    /// <summary>Answered; its output and return time are known.</summary>
    Completed,

    /// <summary>Failed, timed out or answered "unavailable": a write's outcome is unknown, a read is dropped.</summary>
    Failed,

    /// <summary>Refused before the cache sent it anywhere: it took no effect, and is left out of the history.</summary>
    Refused,
}
