using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace EchoCache.Bench;

/// <summary>
/// The configuration every Echo Cache benchmark runs with: short enough for a full run in minutes on a
/// shared 2-core machine, with ratios to the baseline and allocations per operation.
/// <para>
/// In-process on purpose: BenchmarkDotNet's default toolchain generates a project and rebuilds this one
/// and everything it references into the repository's shared artifacts folder, which other engineers
/// build into at the same time. In-process builds nothing; each benchmark's stores are built in its
/// global setup and freed in its cleanup.
/// </para>
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>Where results go unless <c>--artifacts</c> says otherwise: outside the work tree.</summary>
    public static string DefaultArtifacts { get; } = Path.Combine(Path.GetTempPath(), "echo-bench", "results");

    /// <summary>The job: in-process, 3 warmups, 9 iterations of 200 ms (also the job of <c>bench/gate time</c>).</summary>
    public static Job EchoJob { get; } = Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(9)
        .WithIterationTime(TimeInterval.FromMilliseconds(200))
        .WithId("Echo");

    /// <summary>The configuration.</summary>
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(EchoJob);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        AddColumn(BaselineRatioColumn.RatioMean);
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value));
        WithArtifactsPath(DefaultArtifacts);
    }
}
