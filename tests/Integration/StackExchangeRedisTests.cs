using System.Diagnostics;
using StackExchange.Redis;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The published worker and orchestrator, driven over RESP by StackExchange.Redis, the .NET Redis client: it
/// connects (its handshake probes INFO, CONFIG GET, CLIENT SETNAME/SETINFO and, for RESP3, HELLO), then works.
/// </summary>
public sealed class StackExchangeRedisTests
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task A_worker_serves_the_client_in_either_protocol(RedisProtocol protocol)
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        await using ConnectionMultiplexer redis = await ConnectAsync(port, protocol);
        IServer server = redis.GetServer(redis.GetEndPoints()[0]);
        Assert.Equal(protocol, server.Protocol);
        IDatabase db = redis.GetDatabase();

        Assert.True(await db.StringSetAsync("name", "tanson"));
        Assert.Equal("tanson", (string?)await db.StringGetAsync("name"));
        Assert.False(await db.StringSetAsync("name", "other", when: When.NotExists));
        Assert.Equal(8, await db.StringAppendAsync("name", "!!"));
        Assert.Equal("tanson!!", (string?)await db.StringGetDeleteAsync("name"));
        Assert.False(await db.KeyExistsAsync("name"));

        Assert.Equal(11, await db.StringIncrementAsync("n", 11));
        Assert.Equal(10, await db.StringDecrementAsync("n"));
        Assert.Equal(2.5, await db.StringIncrementAsync("f", 2.5));
        var since = Stopwatch.StartNew();
        Assert.True(await db.StringSetAsync("t", "v", TimeSpan.FromSeconds(100)));
        AssertTimeToLive(await db.KeyTimeToLiveAsync("t"), TimeSpan.FromSeconds(100), since);
        Assert.Null(await db.KeyTimeToLiveAsync("n"));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync("t"));
        Assert.Equal("ERR value is not an integer or out of range", error.Message);

        // A thousand writes in flight at once (the client pipelines them on one connection), then one MGET.
        RedisKey[] keys = [.. Enumerable.Range(0, 1000).Select(i => (RedisKey)$"key:{i}")];
        bool[] written = await Task.WhenAll(keys.Select((key, i) => db.StringSetAsync(key, $"value:{i}")));
        Assert.All(written, Assert.True);
        RedisValue[] values = await db.StringGetAsync(keys);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"value:{i}"), values.Select(v => (string?)v));

        Assert.Equal(1003, await server.DatabaseSizeAsync());
        Assert.Equal(1000, server.Keys(pattern: "key:*", pageSize: 100).Count());
        Assert.Equal("hello", (string?)await db.ExecuteAsync("ECHO", "hello"));
        Assert.True(await db.KeyDeleteAsync("t"));
        Assert.Equal("10", (string?)await db.StringGetAsync("n"));
    }

    [Fact]
    public async Task The_orchestrator_serves_the_client_and_both_copies_hold_its_writes()
    {
        using LocalCluster cluster = LocalCluster.Start(2);
        await using ConnectionMultiplexer redis = await ConnectAsync(cluster.Port, RedisProtocol.Resp2);
        IDatabase db = redis.GetDatabase();

        Assert.True(await db.StringSetAsync("name", "tanson"));
        Assert.Equal("tanson", (string?)await db.StringGetAsync("name"));
        Assert.Equal(5, await db.StringIncrementAsync("n", 5));
        var since = Stopwatch.StartNew();
        Assert.True(await db.StringSetAsync("t", "v", TimeSpan.FromSeconds(100)));
        AssertTimeToLive(await db.KeyTimeToLiveAsync("t"), TimeSpan.FromSeconds(100), since);
        RedisKey[] keys = [.. Enumerable.Range(0, 200).Select(i => (RedisKey)$"key:{i}")];
        string[] expected = [.. Enumerable.Range(0, 200).Select(i => $"value:{i}")];
        bool[] written = await Task.WhenAll(keys.Select((key, i) => db.StringSetAsync(key, expected[i])));
        Assert.All(written, Assert.True);
        RedisValue[] values = await db.StringGetAsync(keys);
        Assert.Equal(expected, values.Select(v => (string?)v));
        Assert.True(await db.KeyDeleteAsync("name"));
        Assert.False(await db.KeyExistsAsync("name"));

        // Both workers hold every write the client was told succeeded, as the replica pair promises.
        await cluster.WaitForAllUpAsync();
        for (int worker = 0; worker < cluster.WorkerCount; worker++)
        {
            await using ConnectionMultiplexer direct = await ConnectAsync(cluster.WorkerPort(worker), RedisProtocol.Resp2);
            IDatabase copy = direct.GetDatabase();
            Assert.Equal("5", (string?)await copy.StringGetAsync("n"));
            Assert.Equal("v", (string?)await copy.StringGetAsync("t"));
            Assert.Equal(expected, (await copy.StringGetAsync(keys)).Select(v => (string?)v));
            Assert.False(await copy.KeyExistsAsync("name"));
            Assert.Equal(202, await direct.GetServer(direct.GetEndPoints()[0]).DatabaseSizeAsync());
        }
    }

    /// <summary>
    /// A time to live read back at most <paramref name="since"/> after it was set to <paramref name="set"/>: no more than
    /// that, and no less than that less the time since and the second a TTL is rounded to.
    /// </summary>
    private static void AssertTimeToLive(TimeSpan? ttl, TimeSpan set, Stopwatch since)
    {
        TimeSpan elapsed = since.Elapsed;
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, set - elapsed - TimeSpan.FromSeconds(1), set);
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(int port, RedisProtocol protocol)
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", port } },
            Protocol = protocol,
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
        };
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
