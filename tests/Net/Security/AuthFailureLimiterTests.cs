using EchoCache.Net.Security;

namespace EchoCache.Tests.Net.Security;

/// <summary>The server-wide bucket of failed AUTH attempts, on a clock that moves only when the test says.</summary>
public sealed class AuthFailureLimiterTests
{
    [Fact]
    public void A_full_bucket_allows_the_burst_then_refuses_until_time_passes()
    {
        var clock = new StepClock();
        var limiter = new AuthFailureLimiter(failuresPerSecond: 10, burst: 5, clock);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryTake(), $"attempt {i}");
        }
        Assert.False(limiter.TryTake());
        Assert.False(limiter.TryTake()); // a refusal takes nothing, and gives nothing back

        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(limiter.TryTake()); // 0.99 of a token
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryTake()); // a tenth of a second: one token
        Assert.False(limiter.TryTake());

        clock.Advance(TimeSpan.FromHours(1)); // refills to the burst, never past it
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => limiter.TryTake()));
    }

    [Fact]
    public void A_success_gives_its_token_back_but_never_past_the_burst()
    {
        var clock = new StepClock();
        var limiter = new AuthFailureLimiter(failuresPerSecond: 1, burst: 2, clock);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(limiter.TryTake());
            limiter.Return(); // right passwords spend nothing
        }
        limiter.Return();
        limiter.Return();
        Assert.Equal(2, Enumerable.Range(0, 10).Count(_ => limiter.TryTake()));
    }

    [Fact]
    public void Concurrent_attempts_share_one_bucket_exactly()
    {
        var clock = new StepClock();
        var limiter = new AuthFailureLimiter(failuresPerSecond: 1, burst: 1000, clock);
        int taken = 0;
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 1000; i++)
            {
                if (limiter.TryTake())
                {
                    Interlocked.Increment(ref taken);
                }
            }
        });
        Assert.Equal(1000, taken);
    }

    [Fact]
    public void Rates_and_bursts_are_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthFailureLimiter(failuresPerSecond: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthFailureLimiter(burst: 0));
    }
}
