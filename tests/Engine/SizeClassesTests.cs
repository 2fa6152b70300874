using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class SizeClassesTests
{
    [Fact]
    public void Chunk_sizes_ascend_in_4_byte_steps_from_the_minimum_to_one_page()
    {
        int[] sizes = SizeClasses.ChunkSizes;
        Assert.Equal(SizeClasses.MinChunk, sizes[0]);
        Assert.Equal(EngineLimits.PageSize, sizes[^1]);
        Assert.Equal(sizes.Length, SizeClasses.Count);
        // The small-size lookup stores class ids in a byte.
        Assert.True(sizes.Length < 256);
        for (int i = 0; i < sizes.Length; i++)
        {
            Assert.Equal(0, sizes[i] % 4);
            if (i > 0)
            {
                Assert.True(sizes[i] > sizes[i - 1], $"class {i} ({sizes[i]}) is not above class {i - 1} ({sizes[i - 1]})");
            }
        }
    }

    [Fact]
    public void Chunk_sizes_grow_by_about_the_factor()
    {
        int[] sizes = SizeClasses.ChunkSizes;
        // Every step but the last two (which jump to half a page and a page) is the factor, rounded up to 4 bytes.
        for (int i = 1; i < sizes.Length - 2; i++)
        {
            int expected = Math.Max(sizes[i - 1] + 4, ((int)Math.Ceiling(sizes[i - 1] * SizeClasses.Factor) + 3) & ~3);
            Assert.Equal(expected, sizes[i]);
        }
        Assert.Equal(EngineLimits.PageSize / 2, sizes[^2]);
    }

    [Fact]
    public void ClassFor_picks_the_smallest_class_that_fits_for_every_item_size()
    {
        int[] sizes = SizeClasses.ChunkSizes;
        for (int size = 1; size <= EngineLimits.MaxItemSize; size++)
        {
            int cls = SizeClasses.ClassFor(size);
            if (sizes[cls] < size || (cls > 0 && sizes[cls - 1] >= size))
            {
                Assert.Fail($"ClassFor({size}) = {cls} (chunk {sizes[cls]}), previous chunk {(cls > 0 ? sizes[cls - 1] : 0)}");
            }
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(24, 0)]
    [InlineData(25, 1)]
    [InlineData(EngineLimits.PageSize / 2, -2)]
    [InlineData(EngineLimits.PageSize / 2 + 1, -1)]
    [InlineData(EngineLimits.PageSize, -1)]
    public void ClassFor_boundaries(int size, int expectedClass)
    {
        int expected = expectedClass >= 0 ? expectedClass : SizeClasses.Count + expectedClass;
        Assert.Equal(expected, SizeClasses.ClassFor(size));
    }
}
