using EchoCache.Engine;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Engine;

/// <summary>
/// The engine's wall clock, and a worker's clock before any orchestrator is heard from, must never read behind the
/// wall clock a client reads on the same machine: a client that sets PXAT now + 10 s must read a PTTL of at most
/// 10 s (Redis's "GETEX PXAT option" test), not 10,001 ms.
/// </summary>
public sealed class SystemEngineClockTests
{
    private static void AssertNeverBehindTheWallClock(EngineClock clock, long offset = 0)
    {
        for (int i = 0; i < 300; i++)
        {
            long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + offset;
            long now = clock.UnixMilliseconds;
            long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + offset;
            Assert.InRange(now, before, after);
            Thread.SpinWait(20_000 + (i * 97)); // land at different points within a millisecond
        }
    }

    [Fact]
    public void The_system_clock_reads_the_wall_clock_millisecond()
    {
        AssertNeverBehindTheWallClock(new SystemEngineClock());
    }

    [Fact]
    public void A_worker_clock_that_has_heard_from_no_orchestrator_reads_the_same()
    {
        AssertNeverBehindTheWallClock(new SenderClock());
        AssertNeverBehindTheWallClock(new SenderClock(offsetMilliseconds: 5000), offset: 5000);
    }
}
