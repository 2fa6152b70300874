namespace EchoCache.Load;

/// <summary>One line of a phase's table: a one-second interval (or the whole phase), latencies in microseconds.</summary>
internal sealed record IntervalRow(
    string Label,
    double Seconds,
    long Completed,
    double Throughput,
    double P50,
    double P99,
    double P999,
    double Max,
    long Misses,
    long Errors);
