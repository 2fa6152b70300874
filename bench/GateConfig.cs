using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Validators;
using Perfolizer.Horology;

namespace EchoCache.Bench;

/// <summary>
/// The BenchmarkDotNet configuration of one gate run: in-process like <see cref="BenchConfig"/>, with the
/// MemoryDiagnoser and the full JSON exporter (what <see cref="GateResults"/> reads).
/// <list type="bullet">
/// <item><c>alloc</c>: <see cref="AllocJobFor"/>, and only the rows the allocation gate checks (not the reference rows,
/// whose allocations belong to the BCL): bytes per operation do not depend on how long a run is.</item>
/// <item><c>time</c>: <see cref="TimeJob"/>, every row.</item>
/// </list>
/// </summary>
public sealed class GateConfig : ManualConfig
{
    /// <summary>
    /// In-process like <see cref="BenchConfig"/>, with 30 minutes per row instead of BenchmarkDotNet's default 5: on
    /// the shared 2-core machine under a load average of 35 one CacheBenchmarks row (its 1M-key setup included) took
    /// longer than 5 minutes and aborted the whole run.
    /// </summary>
    private static readonly InProcessEmitToolchain Toolchain = new(TimeSpan.FromMinutes(30), logOutput: true);

    /// <summary>Operations the allocation job measures per row, whatever one invocation holds.</summary>
    public const int AllocOperations = 1 << 18;

    /// <summary>
    /// The allocation job of <paramref name="benchmarkClass"/>: two warmups and one iteration, each of enough
    /// invocations for <see cref="AllocOperations"/> operations (4 invocations of CacheBenchmarks' 65,536, 16,384 of
    /// ProtocolBenchmarks' 16), no overhead run. A fixed count, not a fixed time: the MemoryDiagnoser divides the
    /// bytes allocated during its extra iteration, on every thread, by its operations and rounds to whole bytes, and
    /// the runtime itself allocates a few KB now and then (2-5 KB seen: tiering, thread pool); over 262,144
    /// operations that rounds to 0, where a 20 ms iteration on a busy machine held only 2,816 RespGet operations and
    /// read 2 B/op. An object allocated once in 48 operations or more often still shows (24 B / 48 = 0.5 B/op).
    /// </summary>
    public static Job AllocJobFor(Type benchmarkClass)
    {
        int perInvoke = benchmarkClass.GetMethods()
            .Select(m => m.GetCustomAttributes(typeof(BenchmarkAttribute), false).OfType<BenchmarkAttribute>().FirstOrDefault())
            .Where(b => b is not null)
            .Min(b => b!.OperationsPerInvoke);
        return Job.Default
            .WithToolchain(Toolchain)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(1)
            .WithInvocationCount(Math.Max(1, AllocOperations / Math.Max(1, perInvoke)))
            .WithUnrollFactor(1)
            .WithEvaluateOverhead(false)
            .WithId("GateAlloc");
    }

    /// <summary>
    /// The timing job: <see cref="BenchConfig.EchoJob"/> (in-process, one launch) with 2 warmups and 7 iterations of
    /// 100 ms instead of 3 and 9 of 200 ms, so a run of all 35 rows takes minutes and three runs (the default) stay
    /// short; the baseline's ratios are written by this same job, so the two compare like with like.
    /// </summary>
    public static Job TimeJob { get; } = BenchConfig.EchoJob
        .WithToolchain(Toolchain)
        .WithWarmupCount(2)
        .WithIterationCount(7)
        .WithIterationTime(TimeInterval.FromMilliseconds(100))
        .WithId("GateTime");

    /// <summary>The configuration of a <paramref name="half"/> run of <paramref name="benchmarkClass"/> writing into <paramref name="artifacts"/>.</summary>
    public GateConfig(Type benchmarkClass, GateHalf half, string artifacts, IReadOnlyList<string> filters, TextWriter progress)
    {
        if (filters.Count > 0)
        {
            AddFilter(new GlobFilter([.. filters]));
        }
        AddJob(half == GateHalf.Alloc ? AllocJobFor(benchmarkClass) : TimeJob);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(JsonExporter.Full);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddColumn(StatisticColumn.Median);
        AddLogger(new GateProgressLogger(progress));
        AddValidator(JitOptimizationsValidator.FailOnError);
        if (half == GateHalf.Alloc)
        {
            AddFilter(new SimpleFilter(c => !c.Descriptor.Baseline));
        }
        WithArtifactsPath(artifacts);
    }
}
