namespace EchoCache.Load;

/// <summary>What one measured phase produced: its per-second rows, the whole-phase row, and what it cost.</summary>
internal sealed class PhaseResult
{
    /// <summary>Short name, also the chart's file name (closed-loop, open-loop).</summary>
    public required string Name { get; init; }

    /// <summary>How the load was applied, for the report.</summary>
    public required string Description { get; init; }

    /// <summary>The open loop's timetable rate; null for a closed loop.</summary>
    public double? TargetRate { get; init; }

    public required IReadOnlyList<IntervalRow> Rows { get; init; }

    /// <summary>The whole phase: throughput over the measured seconds; latencies of every reply, drain included.</summary>
    public required IntervalRow Overall { get; init; }

    /// <summary>Service time (actual send → reply) over the phase, microseconds: p50, p99, p99.9.</summary>
    public required (double P50, double P99, double P999) Service { get; init; }

    /// <summary>Send lag (actual send − intended) over the phase, microseconds: p50, p99, p99.9.</summary>
    public required (double P50, double P99, double P999) Lag { get; init; }

    /// <summary>Requests issued, and those never answered (still in flight after the drain).</summary>
    public long Issued { get; init; }

    public long Unanswered { get; init; }

    /// <summary>Open loop: scheduler wake-ups that found every connection at its in-flight limit.</summary>
    public long Backlogged { get; init; }

    public required IReadOnlyList<CpuUse> Cpu { get; init; }

    /// <summary>The chart's file name in the report directory, once written.</summary>
    public string? ChartFile { get; set; }
}
