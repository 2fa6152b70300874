namespace EchoCache.Load;

/// <summary>What the report says about the campaign as a whole.</summary>
internal sealed record CampaignInfo(
    string Target,
    string Client,
    string Workload,
    string Preload,
    string Machine,
    string CommandLine,
    DateTimeOffset Started);
