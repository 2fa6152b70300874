using System.Text;

namespace EchoCache.Net.Cluster;

/// <summary>What a <see cref="CopyAudit"/> found: the slots whose two copies differ, and what each worker answered.</summary>
public sealed class CopyAuditResult
{
    internal CopyAuditResult(IReadOnlyList<CopyAuditWorker> workers, IReadOnlyList<SlotDifference> differences,
        int slotsCompared, int slotsUnchecked)
    {
        Workers = workers;
        Differences = differences;
        SlotsCompared = slotsCompared;
        SlotsUnchecked = slotsUnchecked;
    }

    /// <summary>Each worker's answer, in worker-list order.</summary>
    public IReadOnlyList<CopyAuditWorker> Workers { get; }

    /// <summary>The slots whose copies differ, ascending.</summary>
    public IReadOnlyList<SlotDifference> Differences { get; }

    /// <summary>Slots whose two copies were both counted and compared.</summary>
    public int SlotsCompared { get; }

    /// <summary>Slots left out because a copy gave no digest (<see cref="CopyAuditWorker.Failure"/>).</summary>
    public int SlotsUnchecked { get; }

    /// <summary>Whether every slot was compared: every worker answered.</summary>
    public bool IsComplete => SlotsUnchecked == 0;

    /// <summary>Whether every slot was compared and none differs.</summary>
    public bool Identical => IsComplete && Differences.Count == 0;

    /// <summary>
    /// A report for a person: one line of totals, one per worker, and the first <paramref name="slotsListed"/> differing
    /// slots.
    /// </summary>
    public string Describe(int slotsListed = 20)
    {
        var text = new StringBuilder();
        text.Append(Identical ? "copies identical" : IsComplete ? "copies DIFFER" : "audit INCOMPLETE")
            .Append($": {Differences.Count} differing slots of {SlotsCompared} compared, {SlotsUnchecked} unchecked").AppendLine();
        foreach (CopyAuditWorker worker in Workers)
        {
            text.Append($"  worker {worker.Index} ({worker.EndPoint}): ");
            text.AppendLine(worker.Failure is { } failure
                ? $"no digest: {failure}"
                : $"{worker.Items} items, highest version {worker.HighestVersion}, {worker.StrayItems} stray, joined at epoch {worker.Epoch}");
        }
        foreach (SlotDifference difference in Differences.Take(slotsListed))
        {
            text.Append("  ").Append(difference).AppendLine();
        }
        if (Differences.Count > slotsListed)
        {
            text.AppendLine($"  … and {Differences.Count - slotsListed} more slots");
        }
        return text.ToString();
    }
}
