using System.Diagnostics;
using System.Net.Sockets;
using EchoCache.Net.Protocol;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Cluster;

/// <summary>
/// The background copy check (docs/consistency.md, "Copy check"): every <see cref="ClusterOptions.CopyCheckInterval"/>,
/// for each replica pair whose two copies are both up, asks each copy for a per-slot digest of its items at or below a
/// cutoff version every write of which has reached both copies, compares the digests, and repairs each slot that
/// differs by streaming each copy's items of it into the other as versioned replica writes (the newer version wins,
/// tombstones included). A slot whose repair changed a copy was a real difference: it is logged as a warning and
/// counted in <see cref="CopyCheckStats"/>; one whose repair changed nothing differed only by writes racing the check.
/// Pairs are checked one after the other, so a worker computes at most one digest at a time, each on a connection of
/// its own (never behind live traffic or health checks).
/// </summary>
internal sealed class CopyCheck : IDisposable
{
    // Live items expiring within this long of the check's instant are left out of both copies' digests and repairs:
    // a copy's background sweep could drop one before the other copy's walk reaches it.
    private const long ExpiryMarginMs = 10_000;
    // The cutoff is a version issued at least this long (or the health timeout, if longer) before the digests.
    private static readonly TimeSpan MinimumCutoffAge = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(100);
    // Longest a digest or a repair may take before the pair is given up for this round.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);
    // Differing slots logged one by one per pair and round; the rest are summed up in one line.
    private const int SlotsLogged = 20;

    private readonly Cluster _cluster;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public CopyCheck(Cluster cluster, ILogger logger)
    {
        _cluster = cluster;
        _logger = logger;
    }

    private CopyCheckStats Stats => _cluster.CopyChecks;

    /// <summary>Starts the rounds, unless the interval is zero (the check is off).</summary>
    public void Start()
    {
        if (_cluster.Options.CopyCheckInterval > TimeSpan.Zero)
        {
            _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_cluster.Options.CopyCheckInterval, cancellationToken).ConfigureAwait(false);
                try
                {
                    await RunRoundAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A check that stopped silently would hide every later difference: say so, and go on.
                    CopyCheckLog.RoundFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One round: every pair whose copies are both up, one after the other.</summary>
    private async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        // Every write at or below the cutoff took its version under its slot's lock and was queued on its links
        // before the locks are drained; the barrier of each pair (below) then makes sure both copies applied it.
        ulong cutoff = _cluster.Clock.Next();
        _cluster.DrainSlotLocks();
        TimeSpan age = _cluster.Options.HealthTimeout > MinimumCutoffAge ? _cluster.Options.HealthTimeout : MinimumCutoffAge;
        await Task.Delay(age, cancellationToken).ConfigureAwait(false);
        int compared = 0, differences = 0;
        long repaired = 0;
        SlotMap map = _cluster.Map;
        for (int pair = 0; pair < map.PairCount; pair++)
        {
            WorkerNode first = _cluster.Workers[map.PrimaryOf(pair)];
            WorkerNode second = _cluster.Workers[map.PartnerOf(pair)];
            if (first.State != WorkerState.Up || second.State != WorkerState.Up)
            {
                Stats.PairSkipped(); // its state changes are logged already
                continue;
            }
            PairOutcome outcome;
            try
            {
                outcome = await CheckPairAsync(pair, first, second, cutoff, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                outcome = new PairOutcome(false, 0, 0, e.Message);
            }
            if (outcome.Compared)
            {
                compared++;
                differences += outcome.Differences;
                repaired += outcome.Repaired;
            }
            else
            {
                Stats.PairSkipped();
            }
            if (outcome.Problem != null)
            {
                CopyCheckLog.Skipped(_logger, first.Index, second.Index, outcome.Problem);
            }
        }
        Stats.RoundDone((long)started.Elapsed.TotalMilliseconds);
        CopyCheckLog.Round(_logger, compared, differences, repaired, (long)started.Elapsed.TotalMilliseconds);
    }

    private async Task<PairOutcome> CheckPairAsync(int pair, WorkerNode first, WorkerNode second, ulong cutoff,
        CancellationToken cancellationToken)
    {
        // 1. A PING behind everything queued on each data link of both copies, twice: the first covers the writes queued
        //    before the cutoff, the second the outcomes of decided writes, queued on the other copy when the deciding
        //    copy's answer arrived (before its PING's answer, on the same link).
        for (int round = 0; round < 2; round++)
        {
            var pings = new List<Task<BinaryStatus?>>();
            foreach (WorkerNode worker in new[] { first, second })
            {
                for (int link = 0; link < _cluster.Options.LinksPerWorker; link++)
                {
                    pings.Add(Resync.AskAsync(worker.LinkFor(link), BinaryOpcode.Ping));
                }
            }
            BinaryStatus?[] answers = await Task.WhenAll(pings).ConfigureAwait(false);
            if (answers.Any(answer => answer != BinaryStatus.Ok))
            {
                return new PairOutcome(false, 0, 0, "a copy failed before its digest");
            }
        }

        // 2. Both digests at once, each on a connection of its own: a walk holds its connection's replies until it ends.
        long horizon = _cluster.Clock.Instant() + ExpiryMarginMs;
        using WorkerLink? firstLink = await first.OpenLinkAsync(_cluster.Loops.Next(), _cluster.Epoch, cancellationToken).ConfigureAwait(false);
        using WorkerLink? secondLink = await second.OpenLinkAsync(_cluster.Loops.Next(), _cluster.Epoch, cancellationToken).ConfigureAwait(false);
        if (firstLink == null || secondLink == null)
        {
            return new PairOutcome(false, 0, 0, "a copy refused the check's link");
        }
        var request = new BinaryFrameHeader
        {
            Opcode = BinaryOpcode.Digest,
            Version = cutoff,
            Expiry = horizon,
            ItemFlags = _cluster.Map.FilterOf(pair).ToWire(),
        };
        var firstReply = new DigestReply();
        var secondReply = new DigestReply();
        if (!firstLink.Send(request, default, default, firstReply, 0) || !secondLink.Send(request, default, default, secondReply, 0))
        {
            return new PairOutcome(false, 0, 0, "a digest could not be sent");
        }
        if (!await WatchAsync(Task.WhenAll(firstReply.Answer, secondReply.Answer), first, second, cancellationToken).ConfigureAwait(false))
        {
            return new PairOutcome(false, 0, 0, "a copy went down or did not finish its digest in time");
        }
        SlotDigest? firstDigest = await firstReply.Answer.ConfigureAwait(false);
        SlotDigest? secondDigest = await secondReply.Answer.ConfigureAwait(false);
        if (firstDigest == null || secondDigest == null)
        {
            (WorkerNode failed, DigestReply reply) = firstDigest == null ? (first, firstReply) : (second, secondReply);
            return new PairOutcome(false, 0, 0, $"worker {failed.Index} answered its digest {reply.Status}{(reply.Status == BinaryStatus.Ok ? " but malformed" : "")}");
        }
        CheckVersions(first, firstDigest);
        CheckVersions(second, secondDigest);
        Stats.AddSlotsChecked(SlotsOf(pair));
        List<int> differing = firstDigest.DifferingSlots(secondDigest);
        if (differing.Count == 0)
        {
            return new PairOutcome(true, 0, 0, null);
        }

        // 3. Each copy's items of the differing slots into the other, newer version winning, as a resync does.
        byte[] slots = SlotBitmap.Of(differing);
        var intoSecond = new CopyRepair(second, firstLink);
        var intoFirst = new CopyRepair(first, secondLink);
        Task<bool[]> repairs = Task.WhenAll(intoSecond.RunAsync(slots, cutoff, horizon), intoFirst.RunAsync(slots, cutoff, horizon));
        bool finished = await WatchAsync(repairs, first, second, cancellationToken).ConfigureAwait(false)
            && (await repairs.ConfigureAwait(false)).All(done => done);

        // 4. What changed a copy was a difference; a slot whose repair changed nothing differed by racing writes.
        int differences = 0, repaired = 0, moreSlots = 0, moreItems = 0;
        foreach (int slot in differing)
        {
            int fromFirst = intoSecond.RepairedIn(slot);
            int fromSecond = intoFirst.RepairedIn(slot);
            int items = fromFirst + fromSecond;
            if (items == 0)
            {
                CopyCheckLog.Race(_logger, slot, first.Index, second.Index);
                continue;
            }
            Stats.AddDifference(items);
            differences++;
            repaired += items;
            if (differences <= SlotsLogged)
            {
                string keys = string.Join(", ", intoSecond.KeysIn(slot).Concat(intoFirst.KeysIn(slot)).Take(3).Select(k => $"\"{k}\""));
                CopyCheckLog.Difference(_logger, slot, first.Index, second.Index, items, fromFirst, fromSecond, keys);
            }
            else
            {
                moreSlots++;
                moreItems += items;
            }
        }
        if (moreSlots > 0)
        {
            CopyCheckLog.MoreDifferences(_logger, moreSlots, first.Index, second.Index, moreItems);
        }
        return new PairOutcome(true, differences, repaired, finished ? null : "a copy went down or failed during the repair");
    }

    /// <summary>
    /// Waits for <paramref name="task"/>; false if either copy leaves the up state (a health check, a failed link) or it
    /// takes longer than <see cref="StepTimeout"/>: the check's own connections are not the worker's, so nothing else
    /// fails them.
    /// </summary>
    private static async Task<bool> WatchAsync(Task task, WorkerNode first, WorkerNode second, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(WatchInterval, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!task.IsCompleted
                && (first.State != WorkerState.Up || second.State != WorkerState.Up || elapsed.Elapsed > StepTimeout))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A copy holding a version the orchestrator never issued was written by someone else: say so.</summary>
    private void CheckVersions(WorkerNode worker, SlotDigest digest)
    {
        ulong last = _cluster.Clock.Last;
        if (digest.HighestVersion > last)
        {
            Stats.VersionAhead();
            CopyCheckLog.VersionAhead(_logger, worker.Index, digest.HighestVersion, last);
        }
    }

    /// <summary>How many of the 16,384 slots belong to <paramref name="pair"/>.</summary>
    private int SlotsOf(int pair)
    {
        int pairs = _cluster.Map.PairCount;
        return (SlotMap.SlotCount - pair + pairs - 1) / pairs;
    }

    /// <summary>Stops the rounds; a round under way is cancelled (its connections close).</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation.
        }
        _stopping.Dispose();
    }

    private readonly record struct PairOutcome(bool Compared, int Differences, int Repaired, string? Problem);
}
