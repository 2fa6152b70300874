namespace EchoCache.Tests.CommandLine;

/// <summary>A clock that reads what the test set, so ttl answers are exact.</summary>
internal sealed class FixedClock(long unixMs) : TimeProvider
{
    public long UnixMs { get; set; } = unixMs;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(UnixMs);
}
