using EchoCache.Engine;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using EchoCache.Tests.Engine;

namespace EchoCache.Tests.Net;

/// <summary>The hot commands allocate nothing once warm: no per-request garbage on the server's busiest path.</summary>
public sealed class RespSessionAllocationTests
{
    [Fact]
    public void Get_set_incr_del_mget_allocate_nothing_in_steady_state()
    {
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20 }, new ManualClock());
        var session = new RespSession(engine, new WorkerStats());
        var output = new OutputBuffer(64 * 1024, 1 << 20);
        byte[] large = new byte[8192];
        new Random(1).NextBytes(large.AsSpan(0, 256)); // compressible: GET decompresses into the output
        byte[] input =
        [
            .. RespFrames.Command("SET", "user:1001", "tanson"),
            .. RespFrames.Command("GET", "user:1001"),
            .. RespFrames.Command("get", "missing"),
            .. RespFrames.Command("SET", "counter", "10"),
            .. RespFrames.Command("INCR", "counter"),
            .. RespFrames.Command("INCRBY", "counter", "5"),
            .. RespFrames.Command("DECR", "counter"),
            .. RespFrames.Command("MGET", "user:1001", "counter", "missing"),
            .. RespFrames.Command("SET", "gone", "x"),
            .. RespFrames.Command("DEL", "gone", "missing"),
            .. RespFrames.Command([.. "SET"u8], [.. "large"u8], large),
            .. RespFrames.Command("GET", "large"),
            .. RespFrames.Command("SET", "ttl", "v", "EX", "100"),
            .. RespFrames.Command("EXISTS", "ttl"),
            .. RespFrames.Command("PING"),
        ];
        int incomplete = 0;
        for (int i = 0; i < 100; i++)
        {
            incomplete += Run(session, input, output); // warm up: tiering, pools, buffers
        }
        long allocated = ThreadAllocations.Measure(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                incomplete += Run(session, input, output);
            }
        });
        Assert.Equal(0, incomplete);
        Assert.Equal(0, allocated);
    }

    /// <summary>Runs the input once; returns 1 if it was not consumed whole (xunit's asserts allocate, so none here).</summary>
    private static int Run(RespSession session, byte[] input, OutputBuffer output)
    {
        int consumed = session.Process(input, output);
        output.MarkSent(output.Pending);
        return consumed == input.Length ? 0 : 1;
    }
}
