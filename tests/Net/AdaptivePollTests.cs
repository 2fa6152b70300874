using EchoCache.Net.Server;

namespace EchoCache.Tests.Net;

public sealed class AdaptivePollTests
{
    private static readonly TimeSpan Max = TimeSpan.FromMicroseconds(100);

    [Fact]
    public void A_new_loop_sleeps_at_once()
    {
        var poll = new AdaptivePoll(Max);
        Assert.Equal(0, poll.Window);
    }

    [Fact]
    public void Short_sleeps_grow_the_window_from_an_eighth_by_doubling_up_to_the_longest()
    {
        var poll = new AdaptivePoll(Max);
        long start = poll.Max / 8;
        poll.Slept(1);
        Assert.Equal(start, poll.Window);
        poll.Slept(1);
        Assert.Equal(start * 2, poll.Window);
        poll.Slept(1);
        Assert.Equal(start * 4, poll.Window);
        poll.Slept(1);
        Assert.Equal(poll.Max, poll.Window);
        poll.Slept(0);
        Assert.Equal(poll.Max, poll.Window);
    }

    [Fact]
    public void A_sleep_past_the_longest_window_halves_it_down_to_none()
    {
        var poll = new AdaptivePoll(Max);
        for (int i = 0; i < 10; i++) poll.Slept(1);
        Assert.Equal(poll.Max, poll.Window);
        poll.Slept(poll.Max + 1);
        Assert.Equal(poll.Max / 2, poll.Window);
        poll.Slept(poll.Max * 10);
        Assert.Equal(poll.Max / 4, poll.Window);
        poll.Slept(poll.Max * 10);
        Assert.Equal(poll.Max / 8, poll.Window);
        poll.Slept(poll.Max * 10);
        Assert.Equal(0, poll.Window); // below an eighth: none at all
        poll.Slept(poll.Max * 10);
        Assert.Equal(0, poll.Window);
    }

    [Fact]
    public void The_poll_counts_with_the_sleep_after_it()
    {
        // A window of half the longest that failed, then a sleep of 60% of it: idle for 110% in all, so a
        // longer poll would not have caught the event either; the window shrinks.
        var poll = new AdaptivePoll(Max);
        for (int i = 0; i < 10; i++) poll.Slept(1);
        poll.Slept(poll.Max + 1);
        Assert.Equal(poll.Max / 2, poll.Window);
        poll.Slept(poll.Max * 6 / 10);
        Assert.Equal(poll.Max / 4, poll.Window);
        // Idle for a quarter and a little after it: within the longest, so the window grows again.
        poll.Slept(poll.Max / 10);
        Assert.Equal(poll.Max / 2, poll.Window);
    }

    [Fact]
    public void No_longest_window_never_polls()
    {
        var poll = new AdaptivePoll(TimeSpan.Zero);
        for (int i = 0; i < 10; i++) poll.Slept(0);
        Assert.Equal(0, poll.Window);
    }

    [Fact]
    public void A_negative_longest_window_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptivePoll(TimeSpan.FromTicks(-1)));
}
