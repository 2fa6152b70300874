namespace EchoCache.Tests.Engine;

public sealed class ModelTests
{
    [Fact]
    public void A_million_random_operations_match_the_model_exactly_without_eviction()
    {
        using var run = new ModelRun(seed: 1234, memoryLimit: 256L << 20, shards: 4, eviction: false, keys: 60_000, hotKeys: 2000);
        run.Run(1_000_000);
        Assert.True(run.Engine.GetStats().Expirations > 0);
        Assert.True(run.Stamped > 100_000);
        Assert.True(run.FlushedAway > 1000, run.FlushedAway.ToString());
    }

    [Fact]
    public void A_million_random_operations_under_eviction_never_answer_a_wrong_value()
    {
        using var run = new ModelRun(seed: 5678, memoryLimit: 8L << 20, shards: 2, eviction: true, keys: 60_000, hotKeys: 3000);
        run.Run(1_000_000);
        Assert.True(run.Engine.GetStats().Evictions > 1000);
        Assert.True(run.EvictedSeen > 1000);
    }
}
