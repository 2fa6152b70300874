using System.Globalization;
using System.Text;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Faults;

/// <summary>What a campaign found: the counts, the verdicts, and the figures its report gives.</summary>
internal sealed class CampaignResult
{
    public required CampaignOptions Options { get; init; }

    public required IReadOnlyList<FaultRecord> Faults { get; init; }

    public long Ok { get; init; }

    public long Failed { get; init; }

    public long Unknown { get; init; }

    public int WriteOnceAcknowledged { get; init; }

    /// <summary>Acknowledged write-once keys read back missing or different, with no fault excusing it.</summary>
    public required IReadOnlyList<string> LostWrites { get; init; }

    /// <summary>Acknowledged writes gone with the only copy that held them (<see cref="FaultKind.RestartBehindPartition"/>).</summary>
    public int LostWithTheirOnlyCopy { get; init; }

    public required LinearizabilityResult Linearizability { get; init; }

    /// <summary>Slots whose two copies differ after recovery (null: the audit could not run, which fails the campaign).</summary>
    public required IReadOnlyList<string>? CopyDifferences { get; init; }

    public int SlotsCompared { get; init; }

    public double Availability { get; init; }

    public long EligibleOperations { get; init; }

    public required IReadOnlyList<string> Unexpected { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>What makes the campaign fail; empty when it passed.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            var failures = new List<string>();
            if (!Linearizability.IsLinearizable)
            {
                failures.Add($"the history is not linearizable ({Linearizability.Failures.Count} keys)");
            }
            if (LostWrites.Count > 0)
            {
                failures.Add($"{LostWrites.Count} acknowledged writes lost");
            }
            if (CopyDifferences is null)
            {
                failures.Add("the copies could not be compared");
            }
            else if (CopyDifferences.Count > 0)
            {
                failures.Add($"{CopyDifferences.Count} slots differ between their two copies");
            }
            if (Faults.Any(f => f.RecoveryTimedOut))
            {
                failures.Add($"{Faults.Count(f => f.RecoveryTimedOut)} faults were not recovered from in time");
            }
            if (Unexpected.Count > 0)
            {
                failures.Add($"{Unexpected.Count} answers no command can give");
            }
            return failures;
        }
    }

    /// <summary>The report, in markdown.</summary>
    public string Report()
    {
        var r = new StringBuilder();
        IReadOnlyList<string> failures = Failures;
        r.Append(CultureInfo.InvariantCulture, $"# Fault campaign: {(failures.Count == 0 ? "PASSED" : "FAILED")}\n\n");
        r.Append(CultureInfo.InvariantCulture,
            $"{Options.Workers} workers, {Options.Clients} clients, {Options.Duration.TotalSeconds:F0} s of faults (seed {Options.Seed}{(Options.Broken ? ", BROKEN BUILD: reads from syncing copies" : "")}); {Elapsed.TotalSeconds:F0} s in all.\n\n");
        foreach (string failure in failures)
        {
            r.Append(CultureInfo.InvariantCulture, $"- **{failure}**\n");
        }
        r.Append("\n| what | value |\n| --- | --- |\n");
        Row(r, "operations ok / failed / unknown", $"{Ok} / {Failed} / {Unknown}");
        Row(r, "history checked", $"{Linearizability.History.Operations.Count} operations on {Linearizability.Keys.Count} keys, {Linearizability.History.UnknownOutcomes} of unknown outcome, in {Linearizability.Elapsed.TotalSeconds:F1} s");
        Row(r, "linearizable", Linearizability.IsLinearizable ? "yes" : $"NO ({Linearizability.Verdict})");
        Row(r, "write-once keys acknowledged", WriteOnceAcknowledged.ToString(CultureInfo.InvariantCulture));
        Row(r, "acknowledged writes lost", LostWrites.Count.ToString(CultureInfo.InvariantCulture));
        Row(r, "lost with their only copy (restart behind a partition)", LostWithTheirOnlyCopy.ToString(CultureInfo.InvariantCulture));
        Row(r, "availability while a copy of every slot was reachable", $"{Availability * 100:F2}% of {EligibleOperations} operations");
        Row(r, "copies compared after recovery", CopyDifferences is null ? "not compared" : $"{SlotsCompared} slots, {CopyDifferences.Count} differ");
        r.Append("\n## Faults\n\n| round | fault | target | held ms | recovered ms after heal | resyncs (items in ms) |\n| --- | --- | --- | --- | --- | --- |\n");
        double ms = 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        foreach (FaultRecord f in Faults)
        {
            string resyncs = string.Join(", ", f.Resyncs.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Worker}: {s.Items} in {s.Milliseconds:F0}")));
            r.Append(CultureInfo.InvariantCulture,
                $"| {f.Round} | {FaultNames.Of(f.Kind)} | {(f.Target < 0 ? "-" : $"worker{f.Target}")}{(f.Partner >= 0 ? $" (partner worker{f.Partner})" : "")} | {(f.Healed - f.Injected) * ms:F0} | {(f.RecoveryTimedOut ? "NOT RECOVERED" : ((f.Recovered - f.Healed) * ms).ToString("F0", CultureInfo.InvariantCulture))} | {resyncs} |\n");
        }
        List<double> durations = [.. Faults.SelectMany(f => f.Resyncs).Select(s => s.Milliseconds).Order()];
        if (durations.Count > 0)
        {
            r.Append(CultureInfo.InvariantCulture,
                $"\nResyncs: {durations.Count}, median {durations[durations.Count / 2]:F0} ms, max {durations[^1]:F0} ms.\n");
        }
        if (!Linearizability.IsLinearizable)
        {
            r.Append("\n## Witness\n\n```\n").Append(Linearizability.Explanation).Append("\n```\n");
        }
        if (LostWrites.Count > 0)
        {
            r.Append("\n## Lost writes (first 20)\n\n");
            foreach (string lost in LostWrites.Take(20))
            {
                r.Append(CultureInfo.InvariantCulture, $"- {lost}\n");
            }
        }
        if (CopyDifferences is { Count: > 0 })
        {
            r.Append("\n## Copies that differ (first 20)\n\n");
            foreach (string slot in CopyDifferences.Take(20))
            {
                r.Append(CultureInfo.InvariantCulture, $"- {slot}\n");
            }
        }
        if (Unexpected.Count > 0)
        {
            r.Append("\n## Unexpected answers (first 20)\n\n");
            foreach (string answer in Unexpected.Take(20))
            {
                r.Append(CultureInfo.InvariantCulture, $"- {answer}\n");
            }
        }
        return r.ToString();
    }

    private static void Row(StringBuilder r, string what, string value) => r.Append(CultureInfo.InvariantCulture, $"| {what} | {value} |\n");
}
