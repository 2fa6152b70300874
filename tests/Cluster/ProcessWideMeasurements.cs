namespace EchoCache.Tests.Cluster;

/// <summary>
/// Tests that count what the whole process allocates run alone: xunit runs other test classes in parallel, and
/// their allocations would be counted too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
    public const string Name = "process-wide measurements";
}
