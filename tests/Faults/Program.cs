namespace EchoCache.Faults;

/// <summary>Entry point of <c>echo-faults</c> (scripts/faults); see <see cref="CampaignCommand"/>.</summary>
public static class Program
{
    /// <summary>Runs a campaign, or checks a saved history again.</summary>
    public static int Main(string[] args) => CampaignCommand.Execute(args);
}
