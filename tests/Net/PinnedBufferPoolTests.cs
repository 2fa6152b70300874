using EchoCache.Net.Server;

namespace EchoCache.Tests.Net;

public sealed class PinnedBufferPoolTests
{
    [Fact]
    public void Sizes_are_the_idle_size_times_a_power_of_two_and_larger_requests_are_exact()
    {
        var pool = new PinnedBufferPool(1024);
        Assert.Equal(1024, pool.Rent().Length);
        Assert.Equal(1024, pool.Rent(1).Length);
        Assert.Equal(1024, pool.Rent(1024).Length);
        Assert.Equal(2048, pool.Rent(1025).Length);
        Assert.Equal(64 * 1024, pool.LargestPooledSize);
        Assert.Equal(64 * 1024, pool.Rent(40_000).Length);
        Assert.Equal(64 * 1024 + 1, pool.Rent(64 * 1024 + 1).Length);
    }

    [Fact]
    public void A_returned_array_is_handed_out_again_and_foreign_sizes_are_ignored()
    {
        var pool = new PinnedBufferPool(1024);
        byte[] idle = pool.Rent();
        byte[] large = pool.Rent(5000);
        pool.Return(idle);
        pool.Return(large);
        pool.Return(new byte[3000]);
        pool.Return(pool.Rent(1 << 20));
        Assert.Equal(2, pool.Retained);
        Assert.Same(idle, pool.Rent());
        Assert.Same(large, pool.Rent(8192));
        Assert.Equal(0, pool.Retained);
    }

    [Fact]
    public void Retention_is_bounded_by_count_for_the_idle_size_and_by_bytes_for_larger_ones()
    {
        var pool = new PinnedBufferPool(1024, maxRetained: 2, maxRetainedBytesPerSize: 8192);
        for (int i = 0; i < 5; i++)
        {
            pool.Return(GC.AllocateUninitializedArray<byte>(1024, pinned: true));
            pool.Return(GC.AllocateUninitializedArray<byte>(4096, pinned: true));
        }
        Assert.Equal(2 + 2, pool.Retained); // two idle arrays, 8 KiB of 4 KiB ones
    }

    [Fact]
    public void A_collection_is_due_once_enough_returned_arrays_were_left_to_the_gc()
    {
        var pool = new PinnedBufferPool(1024, maxRetained: 1, maxRetainedBytesPerSize: 0, collectAfterDroppedBytes: 4096);
        byte[][] idle = [pool.Rent(), pool.Rent(), pool.Rent()];
        foreach (byte[] buffer in idle)
        {
            pool.Return(buffer); // the first is kept, the other two (2 KiB) left to the GC
        }
        Assert.False(pool.TakeCollectionDue());
        pool.Return(pool.Rent(2048)); // no 2 KiB array is kept: 4 KiB left in all
        Assert.True(pool.TakeCollectionDue());
        Assert.False(pool.TakeCollectionDue()); // counted afresh from here
        pool.Return(pool.Rent(100_000)); // an array larger than any pooled size counts too
        Assert.True(pool.TakeCollectionDue());
    }

    [Fact]
    public void Buffers_grow_for_a_spike_shrink_back_when_drained_and_reuse_the_pool_for_the_next()
    {
        var pool = new PinnedBufferPool(1024);
        var output = new OutputBuffer(pool, highWater: 1 << 20);
        var input = new InputBuffer(pool, maxRequestSize: 1 << 20);
        byte[] reply = new byte[3000];
        bool spikesBehaved = true;
        void Spike()
        {
            output.Write(reply); // grows to 4 KiB
            bool grew = output.Bytes.Length == 4096;
            output.MarkSent(output.Pending);
            bool shrank = output.Bytes.Length == 1024;

            // One request of 3000 bytes arriving in reads of up to 1000, nothing consumed until it is whole.
            bool room = true;
            for (int received = 0; received < 3000;)
            {
                room &= input.MakeRoom();
                int count = Math.Min(Math.Min(input.FreeLength, 1000), 3000 - received);
                input.Commit(count);
                received += count;
            }
            bool inputGrew = room && input.Array.Length == 4096;
            input.Consume(input.Unconsumed.Length);
            input.MakeRoom();
            bool inputShrank = input.Array.Length == 1024;
            spikesBehaved &= grew && shrank && inputGrew && inputShrank;
        }

        Spike(); // the first spike fills the pool
        long allocated = ThreadAllocations.Measure(() =>
        {
            Spike();
            Spike();
            Spike();
        });
        Assert.True(spikesBehaved);
        Assert.Equal(0, allocated);
    }
}
