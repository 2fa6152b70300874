using System.Globalization;
using System.Text;

namespace EchoCache.Load;

/// <summary>Writes a campaign's markdown report: what was run, then per phase a table per second and overall.</summary>
internal static class ReportWriter
{
    public static string Write(string directory, CampaignInfo info, IReadOnlyList<PhaseResult> phases)
    {
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"# Echo Cache load campaign, {info.Started:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine();
        text.AppendLine(c, $"- target: {info.Target}");
        text.AppendLine(c, $"- client: {info.Client}");
        text.AppendLine(c, $"- workload: {info.Workload}");
        text.AppendLine(c, $"- preload: {info.Preload}");
        text.AppendLine(c, $"- machine: {info.Machine}");
        text.AppendLine(c, $"- command: `{info.CommandLine}`");
        text.AppendLine();
        text.AppendLine("Latency is measured from each request's intended send time: in a closed loop the moment it was sent, in an open");
        text.AppendLine("loop its slot on the timetable (so a stall of the server is not hidden by requests that were never sent).");
        text.AppendLine("Service time is measured from the actual send. One machine runs the load tool and the servers: read ratios");
        text.AppendLine("and medians of repeated campaigns, not one absolute figure.");
        text.AppendLine();
        text.AppendLine("## Summary");
        text.AppendLine();
        text.AppendLine("| phase | requests/s | p50 µs | p99 µs | p99.9 µs | max µs | service p50 / p99 µs | misses | errors | unanswered |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (PhaseResult phase in phases)
        {
            IntervalRow o = phase.Overall;
            text.AppendLine(c, $"| {phase.Name} | {o.Throughput:N0} | {o.P50:N0} | {o.P99:N0} | {o.P999:N0} | {o.Max:N0} | {phase.Service.P50:N0} / {phase.Service.P99:N0} | {o.Misses:N0} | {o.Errors:N0} | {phase.Unanswered:N0} |");
        }
        foreach (PhaseResult phase in phases)
        {
            text.AppendLine();
            text.AppendLine(c, $"## {phase.Name}");
            text.AppendLine();
            text.AppendLine(phase.Description + ".");
            text.AppendLine();
            if (phase.TargetRate is { } rate)
            {
                text.AppendLine(c, $"Target {rate:N0} requests/s, achieved {phase.Overall.Throughput:N0} replies/s; send lag (actual − intended) p50 {phase.Lag.P50:N0} µs, p99 {phase.Lag.P99:N0} µs, p99.9 {phase.Lag.P999:N0} µs; scheduler wake-ups with every connection full: {phase.Backlogged:N0}.");
                text.AppendLine();
            }
            text.AppendLine("| second | replies | requests/s | p50 µs | p99 µs | p99.9 µs | max µs | misses | errors |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (IntervalRow row in phase.Rows.Append(phase.Overall))
            {
                string label = row == phase.Overall ? "**overall**" : row.Label;
                text.AppendLine(c, $"| {label} | {row.Completed:N0} | {row.Throughput:N0} | {row.P50:N0} | {row.P99:N0} | {row.P999:N0} | {row.Max:N0} | {row.Misses:N0} | {row.Errors:N0} |");
            }
            text.AppendLine();
            text.AppendLine(c, $"Overall latencies include the replies that came back after the last second (the drain); requests issued {phase.Issued:N0}, never answered {phase.Unanswered:N0}. Service time p50 {phase.Service.P50:N0} µs, p99 {phase.Service.P99:N0} µs, p99.9 {phase.Service.P999:N0} µs.");
            text.AppendLine();
            if (phase.Cpu.Count > 0)
            {
                text.AppendLine("| process | CPU s | µs CPU per request | share of one core |");
                text.AppendLine("|---|---|---|---|");
                foreach (CpuUse cpu in phase.Cpu)
                {
                    text.AppendLine(c, $"| {cpu.Name} | {cpu.Seconds:F2} | {cpu.MicrosecondsPerRequest:F2} | {cpu.CoreShare:P0} |");
                }
                text.AppendLine();
            }
            if (phase.ChartFile != null)
            {
                text.AppendLine(c, $"![{phase.Name}: throughput and latency per second]({phase.ChartFile})");
            }
        }
        string path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
