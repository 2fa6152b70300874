using EchoCache.Net.Cluster;

namespace EchoCache.Tests.Cluster;

public sealed class VersionClockTests
{
    [Fact]
    public void Versions_strictly_increase_even_when_the_wall_clock_stands_still_or_steps_back()
    {
        long now = 1_800_000_000_000;
        var clock = new VersionClock(() => now);
        ulong previous = clock.Next();
        for (int i = 0; i < 1000; i++)
        {
            if (i == 500) now -= 60_000; // the system clock was set back a minute
            ulong next = clock.Next();
            Assert.True(next > previous);
            previous = next;
        }
    }

    [Fact]
    public void A_restarted_orchestrator_issues_versions_above_its_predecessor()
    {
        long now = 1_800_000_000_000;
        var first = new VersionClock(() => now);
        ulong last = 0;
        for (int i = 0; i < 10_000; i++) last = first.Next();
        now += 1; // restarted a millisecond later
        Assert.True(new VersionClock(() => now).Next() > last);
    }

    [Fact]
    public void Observing_a_worker_version_raises_the_floor()
    {
        var clock = new VersionClock(() => 1_000);
        ulong reported = (2_000UL << VersionClock.CounterBits) + 5;
        clock.Observe(reported);
        Assert.True(clock.Next() > reported);
        clock.Observe(1); // lower versions change nothing
        Assert.True(clock.Next() > reported);
    }

    [Fact]
    public void Concurrent_callers_never_get_the_same_version()
    {
        var clock = new VersionClock();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<ulong, byte>();
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                Assert.True(seen.TryAdd(clock.Next(), 0));
            }
        });
        Assert.Equal(200_000, seen.Count);
    }
}
