namespace EchoCache.Tests.Integration;

/// <summary>
/// Tests that load the whole machine for a while (a memory flood) run alone: beside them, other tests' clusters would
/// miss health checks, and their own measurements (a worker's peak RSS) would count other tests' load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineWideLoad
{
    public const string Name = "machine-wide load";
}
