using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>Steady-state gets and sets allocate nothing on the managed heap (allocation counts are exact, unlike timings).</summary>
public sealed class AllocationTests
{
    private const int Keys = 1000;

    private static byte[][] MakeKeys() => Enumerable.Range(0, Keys).Select(i => Encoding.ASCII.GetBytes($"alloc:key:{i}")).ToArray();

    [Fact]
    public void Get_and_set_of_existing_keys_allocate_nothing()
    {
        var clock = new ManualClock();
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 64L << 20, Shards = 4 }, clock);
        byte[][] keys = MakeKeys();
        byte[] value = new byte[32];
        byte[] buffer = new byte[64];
        var withTtl = new WriteOptions { TimeToLiveMs = 60_000, Flags = 3 };
        foreach (byte[] key in keys)
        {
            engine.Set(key, value, default, out _);
        }

        void Loop(int rounds)
        {
            var sink = new BufferSink(buffer);
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < keys.Length; i++)
                {
                    value[0] = (byte)round;
                    CacheStatus set = engine.Set(keys[i], value, (i & 1) == 0 ? default : withTtl, out _);
                    CacheStatus get = engine.Get(keys[i], ref sink);
                    if (set != CacheStatus.Ok || get != CacheStatus.Ok || sink.Length != 32 || buffer[0] != (byte)round)
                    {
                        Assert.Fail($"round {round} key {i}: {set} {get} {sink.Length}");
                    }
                }
            }
        }

        Loop(50); // warm up: tiering, lazy statics, the lock's first use
        Assert.Equal(0, ThreadAllocations.Measure(() => Loop(200)));
    }

    [Fact]
    public void Increment_touch_miss_and_replica_writes_allocate_nothing()
    {
        var clock = new ManualClock();
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = 64L << 20, Shards = 2 }, clock);
        byte[][] keys = MakeKeys();
        byte[] missing = Encoding.ASCII.GetBytes("alloc:missing");
        byte[] value = new byte[32];
        foreach (byte[] key in keys)
        {
            engine.Set(key, "0"u8, default, out _);
        }
        ulong replicaVersion = 1UL << 40;

        void Loop(int rounds)
        {
            var discard = new DiscardSink();
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < keys.Length; i++)
                {
                    bool ok = engine.Increment(keys[i], 1, default, false, out _, out _) == CacheStatus.Ok
                        && engine.Touch(keys[i], new WriteOptions { TimeToLiveMs = 1000 }, out _) == CacheStatus.Ok
                        && engine.Get(missing, ref discard) == CacheStatus.NotFound;
                    if (!ok) Assert.Fail($"round {round} key {i}");
                }
                replicaVersion += 1UL << 20; // past every local version the round handed out
                if (engine.Set(keys[round % Keys], value, new WriteOptions { Condition = WriteCondition.IfNewer, Version = replicaVersion }, out _) != CacheStatus.Ok
                    || engine.Set(keys[round % Keys], "0"u8, default, out _) != CacheStatus.Ok)
                {
                    Assert.Fail($"round {round}");
                }
            }
        }

        Loop(30);
        Assert.Equal(0, ThreadAllocations.Measure(() => Loop(100)));
    }
}
