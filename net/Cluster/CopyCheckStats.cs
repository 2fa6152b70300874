namespace EchoCache.Net.Cluster;

/// <summary>
/// What the background copy check has done since the orchestrator started (docs/consistency.md, "Copy check"),
/// shown in INFO's "# Copies" section. Written by the check's one task, read by INFO on any thread.
/// </summary>
public sealed class CopyCheckStats
{
    private long _rounds;
    private long _slotsChecked;
    private long _differences;
    private long _itemsRepaired;
    private long _pairsSkipped;
    private long _versionsAhead;
    private long _lastRoundMs;

    /// <summary>Rounds completed.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Slots whose two copies were compared (a slot counts once per round it was compared in).</summary>
    public long SlotsChecked => Interlocked.Read(ref _slotsChecked);

    /// <summary>Slots found different, where repairing them changed a copy.</summary>
    public long Differences => Interlocked.Read(ref _differences);

    /// <summary>Items a repair wrote into a copy that lacked them or held an older version.</summary>
    public long ItemsRepaired => Interlocked.Read(ref _itemsRepaired);

    /// <summary>Pairs a round left out: a copy was not up, or failed or timed out during the check.</summary>
    public long PairsSkipped => Interlocked.Read(ref _pairsSkipped);

    /// <summary>Digests in which a copy held a version above every one the orchestrator had issued.</summary>
    public long VersionsAhead => Interlocked.Read(ref _versionsAhead);

    /// <summary>How long the last completed round took, in milliseconds (-1 before the first).</summary>
    public long LastRoundMs => Rounds == 0 ? -1 : Interlocked.Read(ref _lastRoundMs);

    internal void AddSlotsChecked(int slots) => Interlocked.Add(ref _slotsChecked, slots);

    internal void AddDifference(int itemsRepaired)
    {
        Interlocked.Increment(ref _differences);
        Interlocked.Add(ref _itemsRepaired, itemsRepaired);
    }

    internal void PairSkipped() => Interlocked.Increment(ref _pairsSkipped);

    internal void VersionAhead() => Interlocked.Increment(ref _versionsAhead);

    internal void RoundDone(long milliseconds)
    {
        Interlocked.Exchange(ref _lastRoundMs, milliseconds);
        Interlocked.Increment(ref _rounds);
    }
}
