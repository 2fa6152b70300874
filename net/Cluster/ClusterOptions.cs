namespace EchoCache.Net.Cluster;

/// <summary>Settings of the orchestrator's view of its workers.</summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// Pipelined connections to each worker; a key's requests always use the same one. Default 1: each loop
    /// batch sends once per link, so more links than loops only split the batches.
    /// </summary>
    public int LinksPerWorker { get; init; } = 1;

    /// <summary>How often each worker is health-checked, and a down one reconnected. Default 100 ms.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A health check unanswered this long marks the worker down. Default 500 ms.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Time between the end of one round of the background copy check and the start of the next (docs/consistency.md,
    /// "Copy check"); the first round starts one interval after the orchestrator does. Default 5 min; zero turns the
    /// check off.
    /// </summary>
    public TimeSpan CopyCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Replies a client may have outstanding before its connection stops reading. Default 4096.</summary>
    public int MaxOutstandingPerClient { get; init; } = 4096;

    /// <summary>
    /// Bytes a client may have held in the orchestrator (write values in flight, replies not yet sent) before its
    /// connection stops reading. Default 64 MiB: 4,096 pipelined writes of 1 MiB values would otherwise hold 4 GiB.
    /// </summary>
    public long MaxOutstandingBytesPerClient { get; init; } = 64L << 20;

    /// <summary>
    /// The secret shared with the workers (docs/operations.md, "Cluster secret"): every link proves it, and a worker
    /// started with one serves nothing else. Null: links join without a proof (workers must have none either).
    /// </summary>
    public Security.ClusterSecret? Secret { get; init; }

    /// <summary>
    /// Test only (<c>--test-reads-from-syncing yes</c>): reads may go to a copy that is still being refilled, which
    /// breaks linearizability on purpose, so the fault campaign can show it catches a broken build. Default false.
    /// </summary>
    public bool ReadsFromSyncingCopies { get; init; }
}
