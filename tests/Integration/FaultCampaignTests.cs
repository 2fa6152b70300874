using System.Globalization;
using EchoCache.Faults;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The short form of the fault campaigns (docs/reliability.md), run by every CI: a 2-worker and a 3-worker cluster of
/// the real executables, each process in a network namespace of its own, every fault kind injected in turn under
/// load; the history must be linearizable, no acknowledged write lost, the copies identical. And the campaign must
/// catch a build broken on purpose (reads from a copy still being refilled). One class, so the campaigns run one
/// after the other; each keeps its folder under artifacts/faults.
/// </summary>
public sealed class FaultCampaignTests
{
    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    public void Every_fault_kind_under_load_keeps_every_promise(int workers, int lab)
    {
        CampaignResult result = Run($"ci-{workers}w", new CampaignOptions
        {
            Workers = workers,
            Duration = TimeSpan.FromSeconds(45),
            Clients = 4,
            PreloadKeys = 20_000,
            Faults = FaultNames.All,
            Seed = workers,
            Lab = lab,
            Binaries = HostProcess.BinDirectory,
            Output = "",
        });
        Assert.True(result.Faults.Select(f => f.Kind).Distinct().Count() == FaultNames.All.Count,
            $"not every fault kind was injected\n{result.Report()}");
        Assert.True(result.Failures.Count == 0, result.Report());
        Assert.True(result.Ok > 10_000, $"only {result.Ok} requests were served\n{result.Report()}");
    }

    [Fact]
    public void A_build_that_reads_from_a_syncing_copy_is_caught()
    {
        CampaignResult result = Run("ci-broken", new CampaignOptions
        {
            Workers = 2,
            Duration = TimeSpan.FromSeconds(15),
            Clients = 4,
            PreloadKeys = 50_000,
            Faults = [FaultKind.KillWorker],
            Lab = 5,
            Broken = true,
            Binaries = HostProcess.BinDirectory,
            Output = "",
        });
        Assert.False(result.Linearizability.IsLinearizable && result.LostWrites.Count == 0,
            $"the campaign did not notice reads from a copy being refilled\n{result.Report()}");
    }

    private static CampaignResult Run(string name, CampaignOptions options)
    {
        string folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(HostProcess.BinDirectory))!, "faults",
            $"{name}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        return new Campaign(options with { Output = folder, Echo = false }).Run();
    }
}
