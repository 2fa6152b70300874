namespace EchoCache.Load;

/// <summary>
/// A set of client connections to the server under load, driven by the campaign. Two kinds: the tool's own
/// allocation-free pipelined connections (<see cref="FastTarget"/>) and the project's client library
/// (<see cref="EchoClientTarget"/>), to measure what the library costs.
/// </summary>
internal interface ILoadTarget : IAsyncDisposable
{
    /// <summary>One line for reports: the client kind and its connections.</summary>
    string Description { get; }

    /// <summary>Requests sent and not answered yet, over every connection.</summary>
    long InFlight { get; }

    /// <summary>The first connection failure, if any (the campaign stops on it).</summary>
    Exception? Failure { get; }

    /// <summary>
    /// Starts a closed loop: <paramref name="depth"/> requests in flight per connection, each reply followed at once
    /// by a new request, until <paramref name="control"/> stops (or, preloading, every key was set).
    /// </summary>
    void StartClosedLoop(PhaseControl control, int depth);

    /// <summary>Makes <paramref name="control"/> the phase that open-loop requests belong to.</summary>
    void BeginOpenLoop(PhaseControl control);

    /// <summary>
    /// Issues one open-loop request whose slot on the timetable is <paramref name="intended"/> (it goes out at the
    /// next <see cref="FlushScheduled"/>); false when every connection is at its in-flight limit.
    /// </summary>
    bool TrySchedule(long intended, long now);

    /// <summary>Sends what <see cref="TrySchedule"/> queued.</summary>
    void FlushScheduled();
}
