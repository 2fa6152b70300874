using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EchoCache.Faults.Clients;
using EchoCache.Faults.Lab;

namespace EchoCache.Faults;

/// <summary>
/// Injects one fault at a time into a <see cref="LabCluster"/> while the clients run: injects it, holds it, heals it,
/// then waits, on the orchestrator's INFO, until every worker is up again, and collects the resyncs the orchestrator
/// logged meanwhile. Every step goes to the <see cref="EventLog"/>.
/// </summary>
internal sealed partial class FaultInjector(LabCluster cluster, NetworkLab network, KeyPlan keys, EventLog events, Random random, TimeSpan recoveryTimeout)
{
    /// <summary>Longer than the orchestrator's health timeout (500 ms), so a frozen or cut-off worker is found out.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromMilliseconds(1500);

    private long _logOffset;

    /// <summary>Runs fault <paramref name="kind"/> of round <paramref name="round"/> to the end of its recovery.</summary>
    public FaultRecord Run(FaultKind kind, int round)
    {
        int workers = cluster.Workers.Count;
        int target = kind is FaultKind.PartitionClients or FaultKind.PartitionClientsInbound or FaultKind.KillOrchestrator or FaultKind.PauseOrchestrator
            ? -1 : random.Next(workers);
        var record = new FaultRecord(round, kind, target)
        {
            Partner = kind == FaultKind.RestartBehindPartition ? (target + 1) % workers : -1,
            FrontDoorClosed = target < 0 || kind == FaultKind.RestartBehindPartition,
        };
        _logOffset = new FileInfo(cluster.Orchestrator.LogFile).Length;
        record.Injected = Stopwatch.GetTimestamp();
        LabProcess? worker = target >= 0 ? cluster.Workers[target] : null;
        LabHost front = cluster.Orchestrator.Host;
        string name = FaultNames.Of(kind);
        events.Write($"round {round}: {name}{(worker is null ? "" : $" on {worker.Name}")}");
        switch (kind)
        {
            case FaultKind.KillWorker:
                worker!.Kill();
                Hold(Outage);
                Heal(record, worker.Start, $"{worker.Name} restarted");
                break;
            case FaultKind.PauseWorker:
                worker!.Freeze();
                Hold(Outage);
                Heal(record, worker.Thaw, $"{worker.Name} thawed");
                break;
            case FaultKind.PartitionWorker or FaultKind.PartitionWorkerInbound or FaultKind.PartitionWorkerOutbound:
                NetworkLab.Block(worker!.Host, front.Address, kind switch
                {
                    FaultKind.PartitionWorkerInbound => PartitionDirection.Inbound,
                    FaultKind.PartitionWorkerOutbound => PartitionDirection.Outbound,
                    _ => PartitionDirection.Both,
                });
                Hold(Outage);
                Heal(record, () => NetworkLab.Heal(worker.Host), "partition healed");
                break;
            case FaultKind.PartitionClients or FaultKind.PartitionClientsInbound:
                NetworkLab.Block(front, network.ClientAddress,
                    kind == FaultKind.PartitionClients ? PartitionDirection.Both : PartitionDirection.Inbound);
                Hold(Outage);
                Heal(record, () => NetworkLab.Heal(front), "partition healed");
                break;
            case FaultKind.KillOrchestrator:
                cluster.Orchestrator.Kill();
                Hold(TimeSpan.FromMilliseconds(300));
                Heal(record, cluster.Orchestrator.Start, "orchestrator restarted with the same command line");
                LabCluster.WaitForListener(cluster.Orchestrator, LabCluster.OrchestratorPort, recoveryTimeout);
                events.Write("orchestrator listens again");
                break;
            case FaultKind.PauseOrchestrator:
                cluster.Orchestrator.Freeze();
                Hold(Outage);
                Heal(record, cluster.Orchestrator.Thaw, "orchestrator thawed");
                break;
            case FaultKind.RestartBehindPartition:
                LabProcess partner = cluster.Workers[record.Partner];
                // The cut waits for the requests picked before this round to end, so the writes in flight across it
                // (left out of the check with their slots: they may have reached only the copy that dies) are on this
                // short round's keys.
                if (!SpinWait.SpinUntil(() => keys.Settled(keys.Round), TimeSpan.FromSeconds(5)))
                {
                    record.Unsettled = true;
                    events.Write("requests of the previous round still in flight at the cut");
                }
                // Stamped before the rules go in: the partition may begin anywhere inside Block (an nft process).
                record.LostCopyFrom = Stopwatch.GetTimestamp();
                NetworkLab.Block(partner.Host, front.Address, PartitionDirection.Both);
                record.LossRound = keys.NextRound(); // the writes from here to the kill, which may be lost, go to keys of their own
                events.Write($"{partner.Name} cut off from the orchestrator; round {keys.Round} begins");
                bool down = cluster.WaitUntil(s => s.Is(record.Partner, "down"), TimeSpan.FromSeconds(10), out _);
                events.Write(down ? $"orchestrator holds {partner.Name} down" : $"orchestrator did not mark {partner.Name} down within 10 s");
                Hold(TimeSpan.FromMilliseconds(500));
                worker!.Kill();
                record.CopyKilledAt = Stopwatch.GetTimestamp();
                keys.NextRound();
                events.Write($"{worker.Name} killed: the only copy of the writes since; round {keys.Round} begins");
                Hold(TimeSpan.FromMilliseconds(300));
                worker.Start();
                events.Write($"{worker.Name} restarted while {partner.Name} is cut off");
                Hold(Outage);
                Heal(record, () => NetworkLab.Heal(partner.Host), $"{partner.Name}'s partition healed");
                break;
        }
        record.RecoveryTimedOut = !cluster.WaitUntil(s => s.AllUp, recoveryTimeout, out ClusterState? last);
        record.Recovered = Stopwatch.GetTimestamp();
        if (record.RecoveryTimedOut)
        {
            events.Write($"NOT RECOVERED within {recoveryTimeout.TotalSeconds:F0} s: workers {string.Join(", ", last?.WorkerStates ?? [])}");
        }
        else
        {
            events.Write($"recovered: every worker up, {(record.Recovered - record.Healed) * 1000.0 / Stopwatch.Frequency:F0} ms after the heal");
        }
        CollectResyncs(record);
        return record;
    }

    private void Heal(FaultRecord record, Action heal, string what)
    {
        heal();
        record.Healed = Stopwatch.GetTimestamp();
        events.Write(what);
    }

    private void Hold(TimeSpan length) => Thread.Sleep(length + TimeSpan.FromMilliseconds(random.Next(0, 500)));

    private void CollectResyncs(FaultRecord record)
    {
        using var log = new FileStream(cluster.Orchestrator.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Seek(_logOffset, SeekOrigin.Begin);
        using var reader = new StreamReader(log);
        while (reader.ReadLine() is { } line)
        {
            Match match = ResyncLine().Match(line);
            if (match.Success)
            {
                string worker = $"worker{match.Groups["w"].Value}";
                record.Resyncs.Add((worker, long.Parse(match.Groups["items"].Value, CultureInfo.InvariantCulture),
                    double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture)));
                events.Write($"{worker} up after a resync of {match.Groups["items"].Value} items in {match.Groups["ms"].Value} ms");
            }
        }
    }

    [GeneratedRegex(@"worker (?<w>\d+) \(.*\) is Up: (?:resync complete: (?<items>\d+) items in (?<ms>\d+) ms|reconciled with its partners: (?<items>\d+) items merged in (?<ms>\d+) ms)")]
    private static partial Regex ResyncLine();
}
