using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EchoCache.Faults.Clients;
using EchoCache.Faults.Lab;
using EchoCache.Faults.Linearizability;
using EchoCache.Net.Client;
using EchoCache.Net.Cluster;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;

namespace EchoCache.Faults;

/// <summary>
/// One fault campaign (docs/reliability.md): a cluster of the real executables on a <see cref="NetworkLab"/>,
/// preloaded, driven by <see cref="Traffic"/> while a <see cref="FaultInjector"/> injects one fault after another;
/// then every hot key is read once more, every acknowledged write-once key read back, the history checked for
/// linearizability, the orchestrator stopped and the two copies of every slot compared by digest.
/// Everything goes into <see cref="CampaignOptions.Output"/>: history.tsv, events.log, each process's log, report.md.
/// </summary>
internal sealed class Campaign(CampaignOptions options)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The checker's budget: a long campaign's history is large, though each key's part of it is small.</summary>
    public static readonly LinearizabilityOptions CheckOptions = new() { Timeout = TimeSpan.FromMinutes(20) };

    public CampaignResult Run()
    {
        Directory.CreateDirectory(options.Output);
        long start = Stopwatch.GetTimestamp();
        using var events = new EventLog(Path.Combine(options.Output, "events.log"), start, options.Echo);
        events.Write($"campaign: {options.Workers} workers, {options.Clients} clients, {options.Duration.TotalSeconds:F0} s of faults ({string.Join(", ", options.Faults.Select(FaultNames.Of))}), seed {options.Seed}{(options.Broken ? ", BROKEN BUILD" : "")}");
        using NetworkLab network = NetworkLab.Create(options.Lab);
        string[] orchestratorOptions = options.Broken
            ? ["--copy-check-interval", "0", "--test-reads-from-syncing", "yes"]
            : ["--copy-check-interval", "0"];
        using var cluster = new LabCluster(network, options.Binaries, options.Output, options.Workers, orchestratorOptions);
        cluster.Start(TimeSpan.FromSeconds(30));
        events.Write($"cluster up: {cluster.Orchestrator.CommandLine}");

        var ledger = new WriteOnceLedger();
        Preload(cluster, ledger, events);

        var keys = new KeyPlan(options.Clients);
        var history = new HistoryRecorder();
        var timeline = new OutcomeTimeline(start, options.Duration + TimeSpan.FromMinutes(10));
        var traffic = new Traffic(cluster.Traffic(RequestTimeout), keys, history, ledger, timeline);
        traffic.Start(options.Clients, options.Seed);
        events.Write($"{options.Clients} clients started");

        var random = new Random(options.Seed);
        FaultKind[] order = [.. options.Faults.OrderBy(_ => random.Next())];
        var injector = new FaultInjector(cluster, network, keys, events, random, RecoveryTimeout);
        var faults = new List<FaultRecord>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.Duration || faults.Count < order.Length) // every kind at least once, however slow the machine
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(1500 + random.Next(1000)));
            FaultKind kind = order[faults.Count % order.Length];
            if (kind == FaultKind.RestartBehindPartition && options.Workers < 2)
            {
                continue;
            }
            faults.Add(injector.Run(kind, keys.NextRound()));
        }
        Thread.Sleep(1500);
        traffic.StopAsync().GetAwaiter().GetResult();
        events.Write($"clients stopped: {traffic.Ok} ok, {traffic.Failed} failed, {traffic.Unknown} unknown");

        ReadEveryHotKey(cluster, keys, history, options.Clients, events);
        (List<string> lost, int lostWithCopy) = ReadBack(cluster, ledger, faults, options.Workers, events);

        History recorded = Excuse(history.ToHistory(), faults, options.Workers);
        HistoryFile.Write(Path.Combine(options.Output, "history.tsv"), recorded);
        LinearizabilityResult verdict = LinearizabilityChecker.Check(recorded, CheckOptions);
        events.Write($"history: {recorded.Operations.Count} operations, {(verdict.IsLinearizable ? "linearizable" : "NOT LINEARIZABLE")} ({verdict.Elapsed.TotalSeconds:F1} s to check)");

        (IReadOnlyList<string>? differences, int compared) = AuditCopies(cluster, events);
        (double availability, long eligible) = Availability(timeline, faults, start, Stopwatch.GetTimestamp());

        var result = new CampaignResult
        {
            Options = options,
            Faults = faults,
            Ok = traffic.Ok,
            Failed = traffic.Failed,
            Unknown = traffic.Unknown,
            WriteOnceAcknowledged = ledger.Count,
            LostWrites = lost,
            LostWithTheirOnlyCopy = lostWithCopy,
            Linearizability = verdict,
            CopyDifferences = differences,
            SlotsCompared = compared,
            Availability = availability,
            EligibleOperations = eligible,
            Unexpected = [.. traffic.Unexpected],
            Elapsed = Stopwatch.GetElapsedTime(start),
        };
        File.WriteAllText(Path.Combine(options.Output, "report.md"), result.Report());
        events.Write(result.Failures.Count == 0 ? "PASSED" : $"FAILED: {string.Join("; ", result.Failures)}");
        return result;
    }

    /// <summary>Writes <see cref="CampaignOptions.PreloadKeys"/> write-once keys, 256 requests in flight.</summary>
    private void Preload(LabCluster cluster, WriteOnceLedger ledger, EventLog events)
    {
        TrafficOptions where = cluster.Traffic(RequestTimeout);
        using EchoClient client = Connect(where);
        var clock = Stopwatch.StartNew();
        for (int first = 0; first < options.PreloadKeys; first += 256)
        {
            int count = Math.Min(256, options.PreloadKeys - first);
            var batch = new Task<EchoReply>[count];
            long sent = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                string key = KeyPlan.OnceKey(-1, first + i);
                batch[i] = client.SetAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"preload-{first + i}"));
            }
            Task.WaitAll(batch, TimeSpan.FromSeconds(30));
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                if (batch[i].Result.Status != BinaryStatus.Ok)
                {
                    throw new InvalidOperationException($"preload: SET answered {batch[i].Result.Status} with every worker up");
                }
                ledger.Add(KeyPlan.OnceKey(-1, first + i), $"preload-{first + i}", sent, now);
            }
        }
        events.Write($"preloaded {options.PreloadKeys} keys in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>One more GET of every hot key of every round, recorded, once the cluster is whole: each must answer.</summary>
    private static void ReadEveryHotKey(LabCluster cluster, KeyPlan keys, HistoryRecorder history, int client, EventLog events)
    {
        if (!cluster.WaitUntil(s => s.AllUp, RecoveryTimeout, out _))
        {
            events.Write("final reads: the cluster is not whole");
        }
        TrafficOptions where = cluster.Traffic(RequestTimeout);
        using RespLink link = RespLink.Connect(where.Host, where.Port, where.Password, RequestTimeout);
        int read = 0;
        foreach (string key in keys.AllHotKeys())
        {
            for (int attempt = 0; attempt < 10; attempt++)
            {
                using PendingOperation op = history.BeginGet(client, key);
                RespAnswer answer = link.Call("GET", key);
                if (answer.IsBulk)
                {
                    op.Read(answer.Text);
                    read++;
                    break;
                }
                // Not served (dropped from the history as a failed read): again once every worker is up.
                events.Write($"final read of {key} answered {answer}");
                cluster.WaitUntil(s => s.AllUp, RecoveryTimeout, out _);
            }
        }
        events.Write($"final reads: {read} hot keys read");
    }

    /// <summary>Reads back every acknowledged write-once key: (lost ones, ones gone with their only copy).</summary>
    private static (List<string> Lost, int LostWithCopy) ReadBack(LabCluster cluster, WriteOnceLedger ledger, IReadOnlyList<FaultRecord> faults,
        int workers, EventLog events)
    {
        var map = new SlotMap(workers);
        using EchoClient client = Connect(cluster.Traffic(RequestTimeout));
        IReadOnlyList<(string Key, string Value, long Called, long Acknowledged)> writes = ledger.Writes;
        var lost = new List<string>();
        int excused = 0;
        for (int first = 0; first < writes.Count; first += 256)
        {
            int count = Math.Min(256, writes.Count - first);
            EchoReply[] batch = ReadBatch(cluster, client, writes, first, count, events);
            for (int i = 0; i < count; i++)
            {
                (string key, string value, long called, long acknowledged) = writes[first + i];
                EchoReply reply = batch[i];
                if (reply.Status == BinaryStatus.Ok && Encoding.UTF8.GetString(reply.Value) == value)
                {
                    continue;
                }
                if (GoneWithOnlyCopy(faults, map, key, called, acknowledged))
                {
                    excused++;
                    continue;
                }
                lost.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{key} = \"{value}\" acknowledged at {events.Seconds(acknowledged):F3} s, read back {(reply.Status == BinaryStatus.Ok ? $"\"{Encoding.UTF8.GetString(reply.Value)}\"" : reply.Status.ToString())}"));
            }
        }
        events.Write($"read back {writes.Count} acknowledged write-once keys: {lost.Count} lost, {excused} gone with their only copy");
        return (lost, excused);
    }

    /// <summary>
    /// GETs of <paramref name="count"/> write-once keys, 256 in flight; a key the cluster could not serve (a worker
    /// marked down on a loaded machine) is read again once every worker is up, up to 10 times.
    /// </summary>
    private static EchoReply[] ReadBatch(LabCluster cluster, EchoClient client, IReadOnlyList<(string Key, string Value, long Called, long Acknowledged)> writes,
        int first, int count, EventLog events)
    {
        var replies = new EchoReply[count];
        List<int> pending = [.. Enumerable.Range(0, count)];
        for (int attempt = 0; pending.Count > 0; attempt++)
        {
            Task<EchoReply>[] batch = [.. pending.Select(i => client.GetAsync(Encoding.UTF8.GetBytes(writes[first + i].Key)))];
            if (!Task.WaitAll(batch, TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("reading back the write-once keys: no answer within 30 s");
            }
            var again = new List<int>();
            for (int j = 0; j < pending.Count; j++)
            {
                replies[pending[j]] = batch[j].Result;
                if (batch[j].Result.Status is BinaryStatus.Unavailable or BinaryStatus.Busy or BinaryStatus.ServerError && attempt < 10)
                {
                    again.Add(pending[j]);
                }
            }
            if (again.Count > 0)
            {
                events.Write($"read back: {again.Count} keys unavailable; reading them again once every worker is up");
                cluster.WaitUntil(state => state.AllUp, RecoveryTimeout, out _);
            }
            pending = again;
        }
        return replies;
    }

    /// <summary>
    /// Whether <paramref name="key"/>, sent at <paramref name="called"/> and acknowledged at <paramref name="acknowledged"/>,
    /// may be gone by design: a fault killed the only copy its pair had at the time (a
    /// <see cref="FaultKind.RestartBehindPartition"/>: the partner was cut off, and the write was acknowledged after
    /// that and sent before the kill; its answer may arrive just after the kill).
    /// </summary>
    private static bool GoneWithOnlyCopy(IReadOnlyList<FaultRecord> faults, SlotMap map, string key, long called, long acknowledged)
    {
        int slot = SlotOf(key);
        return faults.Any(f => f.Kind == FaultKind.RestartBehindPartition && f.LostCopyFrom != 0
            && acknowledged >= f.LostCopyFrom && called <= f.CopyKilledAt && map.Holds(f.Target, slot) && map.Holds(f.Partner, slot));
    }

    /// <summary>The slot of a key the campaign's clients use.</summary>
    private static int SlotOf(string key) => SlotMap.SlotOf(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// The history with what a <see cref="FaultKind.RestartBehindPartition"/> may take back by design: on the keys of
    /// the pair that lost its only up-to-date copy, writes answered after the partition began and invoked before the
    /// kill become of unknown outcome, and such reads are dropped (they may have seen a write that is gone). Left out
    /// altogether: the hot keys the injector gives that window (every write on them may be gone and every read may
    /// have seen one that is), and the slots of the pair's writes in flight when the partition began (such a write may
    /// have reached only the copy that died, and a read answered before the partition may have seen it there: nothing
    /// to check it against; once the clients settled on the fault's own round, only writes sent since it began can be
    /// in flight: an older write of unknown outcome ended at its client before). The rest of the history is checked
    /// as recorded.
    /// </summary>
    private static History Excuse(History history, IReadOnlyList<FaultRecord> faults, int workers)
    {
        FaultRecord[] losses = [.. faults.Where(f => f.Kind == FaultKind.RestartBehindPartition && f.LostCopyFrom != 0)];
        if (losses.Length == 0)
        {
            return history;
        }
        var map = new SlotMap(workers);
        bool InPair(FaultRecord f, string key)
        {
            int slot = SlotOf(key);
            return map.Holds(f.Target, slot) && map.Holds(f.Partner, slot);
        }
        var lossRounds = losses.Select(f => f.LossRound).ToHashSet();
        var cutSlots = history.Operations
            .Where(op => op.IsWrite && losses.Any(f => op.Call < f.LostCopyFrom && op.Return >= f.LostCopyFrom
                && (op.Call >= f.Injected || f.Unsettled) && op.Keys.Any(key => InPair(f, key))))
            .SelectMany(op => op.Keys)
            .Select(SlotOf)
            .ToHashSet();
        var kept = new List<Operation>(history.Operations.Count);
        int dropped = history.DroppedReads;
        foreach (Operation op in history.Operations)
        {
            if (lossRounds.Contains(KeyPlan.RoundOf(op.Key)) || op.Keys.Any(key => cutSlots.Contains(SlotOf(key))))
            {
                if (!op.IsWrite)
                {
                    dropped++;
                }
                continue; // every write there may be gone, and every read may have seen one that is: nothing to check
            }
            bool excused = op.Keys.Any(key => losses.Any(f => op.Return >= f.LostCopyFrom && op.Call <= f.CopyKilledAt && InPair(f, key)));
            if (!excused)
            {
                kept.Add(op);
            }
            else if (op.IsWrite)
            {
                kept.Add(op.WithUnknownOutcome());
            }
            else
            {
                dropped++;
            }
        }
        return new History(kept, history.TicksPerSecond, dropped);
    }

    /// <summary>
    /// Stops the orchestrator and compares the two copies of every slot by digest (<see cref="CopyAudit"/>, which
    /// repairs nothing; the orchestrator ran with its own copy check off, so nothing repaired a difference before):
    /// (differing slots, slots compared), or null differences when some slot could not be compared.
    /// </summary>
    private static (IReadOnlyList<string>? Differences, int Compared) AuditCopies(LabCluster cluster, EventLog events)
    {
        cluster.Orchestrator.Stop(TimeSpan.FromSeconds(10));
        events.Write("orchestrator stopped; comparing the two copies of every slot");
        var audit = new CopyAudit(
            [.. cluster.Workers.Select(w => new IPEndPoint(IPAddress.Parse(w.Host.Address), LabCluster.WorkerPort))],
            ClusterSecret.ReadFile(cluster.SecretFile))
        { Timeout = TimeSpan.FromMinutes(2) };
        CopyAuditResult result = audit.RunAsync().GetAwaiter().GetResult();
        events.Write(result.Describe().TrimEnd());
        return (result.IsComplete ? [.. result.Differences.Select(d => d.ToString())] : null, result.SlotsCompared);
    }

    /// <summary>
    /// The share of operations served, among those invoked while the clients could reach the orchestrator and some
    /// copy of every slot could serve: every 100 ms outside the windows of faults that close the front door.
    /// </summary>
    private static (double Availability, long Eligible) Availability(OutcomeTimeline timeline, IReadOnlyList<FaultRecord> faults, long start, long end)
    {
        long step = Stopwatch.Frequency / 10;
        long ok = 0, failed = 0;
        for (long t = start; t < end; t += step)
        {
            long to = t + step - 1;
            if (faults.Any(f => f.FrontDoorClosed && to >= f.Injected && t <= f.Recovered))
            {
                continue;
            }
            (long o, long x) = timeline.Count(t, t);
            ok += o;
            failed += x;
        }
        long all = ok + failed;
        return (all == 0 ? 0 : (double)ok / all, all);
    }

    private static EchoClient Connect(TrafficOptions where)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return EchoClient.ConnectAsync(where.Host, where.Port, new EchoClientOptions { Password = where.Password }, timeout.Token)
            .GetAwaiter().GetResult();
    }
}
