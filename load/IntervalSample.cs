using HdrHistogram;

namespace EchoCache.Load;

/// <summary>What a <see cref="LatencyRecorder"/> recorded over one interval.</summary>
internal sealed record IntervalSample(HistogramBase Latency, HistogramBase Service, HistogramBase Lag, long Ok, long Misses, long Errors)
{
    /// <summary>Replies received (every outcome), plus requests failed without one.</summary>
    public long Completed => Ok + Misses + Errors;
}
