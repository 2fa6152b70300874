using EchoCache.Tests.Cluster;

namespace EchoCache.Tests;

/// <summary>The allocation meter the zero-allocation tests stand on: it sees real allocations and ignores collections.</summary>
[Collection(ProcessWideMeasurements.Name)] // it forces collections, which would slow every test beside it
public sealed class ThreadAllocationsTests
{
    [Fact]
    public void Reports_what_an_action_allocates()
    {
        object?[] keep = new object?[100];
        long allocated = ThreadAllocations.Measure(() =>
        {
            for (int i = 0; i < keep.Length; i++) keep[i] = new byte[100]; // 100 arrays of at least 124 bytes
        });
        Assert.InRange(allocated, 100 * 124, 100 * 200);
    }

    [Fact]
    public void Reads_zero_for_an_action_that_allocates_nothing_while_another_thread_collects()
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(random.Next(3), GCCollectionMode.Forced, blocking: random.Next(2) == 0);
                Thread.SpinWait(random.Next(100_000));
            }
        });
        collector.Start();
        var sizes = new Random(11);
        int nonZero = 0;
        for (int i = 0; i < 500; i++)
        {
            GC.KeepAlive(new byte[sizes.Next(1, 4000)]); // leave part of an allocation quantum in use, as real code does
            if (ThreadAllocations.Measure(() => Thread.SpinWait(20_000)) != 0) nonZero++;
        }
        stop.Cancel();
        collector.Join();
        Assert.Equal(0, nonZero);
    }
}
