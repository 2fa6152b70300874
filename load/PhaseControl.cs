namespace EchoCache.Load;

/// <summary>
/// The shared state of one phase, read by every connection: where replies are recorded, whether requests are
/// refilled as replies come (closed loop), the request budget, and the preload key counter. Thread-safe.
/// </summary>
internal sealed class PhaseControl(LatencyRecorder recorder, bool closedLoop, long maxRequests, int preloadKeys = 0)
{
    private long _issued;
    private long _preloadNext;
    private volatile bool _stopping;

    public LatencyRecorder Recorder { get; } = recorder;

    /// <summary>Each reply is followed at once by a new request on the same connection.</summary>
    public bool ClosedLoop { get; } = closedLoop;

    /// <summary>This phase sets every key once, in order, instead of the workload's mix.</summary>
    public bool Preload => preloadKeys > 0;

    public int PreloadKeys => preloadKeys;

    /// <summary>No new request is issued once set; requests in flight are still answered and recorded.</summary>
    public bool Stopping => _stopping;

    /// <summary>Requests issued in this phase (the budget's count).</summary>
    public long Issued => Math.Min(Interlocked.Read(ref _issued), maxRequests);

    public void Stop() => _stopping = true;

    /// <summary>Takes one request from the budget; false (and stopping) once it is spent or the phase stops.</summary>
    public bool TryTakeRequest()
    {
        if (_stopping)
        {
            return false;
        }
        if (Interlocked.Increment(ref _issued) > maxRequests)
        {
            _stopping = true;
            return false;
        }
        return true;
    }

    /// <summary>The next key to preload, or −1 when every key was issued.</summary>
    public int NextPreloadKey()
    {
        long key = Interlocked.Increment(ref _preloadNext) - 1;
        return key < preloadKeys ? (int)key : -1;
    }

    /// <summary>Whether every preload key was issued.</summary>
    public bool PreloadIssued => Interlocked.Read(ref _preloadNext) >= preloadKeys;
}
