using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>The shard lock: mutual exclusion, reentrancy, and waiters that block and still get in.</summary>
public sealed class ShardLockTests
{
    [Fact]
    public void Threads_never_hold_it_at_once_and_lose_no_update()
    {
        var gate = new ShardLock();
        const int threads = 4;
        const int rounds = 200_000;
        long counter = 0;
        int inside = 0;
        TestThreads.Run(threads, _ =>
        {
            for (int i = 0; i < rounds; i++)
            {
                using (gate.EnterScope())
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Assert.Fail("two threads inside the lock");
                    }
                    // A non-atomic read-modify-write: a lost update would show in the total.
                    long value = counter;
                    if ((i & 1023) == 0)
                    {
                        Thread.SpinWait(50);
                    }
                    counter = value + 1;
                    Interlocked.Decrement(ref inside);
                }
            }
        });
        Assert.Equal((long)threads * rounds, counter);
    }

    [Fact]
    public void The_holder_may_enter_again_and_others_get_in_only_after_the_last_exit()
    {
        var gate = new ShardLock();
        gate.Enter();
        gate.Enter();
        Assert.True(gate.TryEnter());
        Assert.True(gate.IsHeldByCurrentThread);
        bool Other() => Task.Factory.StartNew(() =>
        {
            bool taken = gate.TryEnter();
            if (taken) gate.Exit();
            return taken;
        }, TaskCreationOptions.LongRunning).Result;

        Assert.False(Other());
        gate.Exit();
        gate.Exit();
        Assert.False(Other());
        gate.Exit();
        Assert.False(gate.IsHeldByCurrentThread);
        Assert.True(Other());
    }

    [Fact]
    public void Waiters_that_block_behind_a_long_holder_all_get_in()
    {
        var gate = new ShardLock();
        const int waiters = 3;
        int entered = 0;
        using var holding = new ManualResetEventSlim();
        TestThreads.Run(waiters + 1, t =>
        {
            if (t == 0)
            {
                using (gate.EnterScope())
                {
                    holding.Set();
                    // Held until every waiter has passed its spinning and blocks (the lock counts them).
                    var waited = System.Diagnostics.Stopwatch.StartNew();
                    while (gate.Waiters < waiters)
                    {
                        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"only {gate.Waiters} of {waiters} waiters blocked within 30 s");
                        Thread.Yield();
                    }
                    Assert.Equal(0, Volatile.Read(ref entered));
                }
                return;
            }
            holding.Wait();
            for (int i = 0; i < 100; i++)
            {
                using (gate.EnterScope())
                {
                    if (i == 0)
                    {
                        Interlocked.Increment(ref entered);
                    }
                    Thread.Sleep(0);
                }
            }
        });
        Assert.Equal(waiters, entered);
        Assert.True(gate.TryEnter());
        gate.Exit();
    }
}
