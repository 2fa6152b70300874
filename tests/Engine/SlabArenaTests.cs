using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class SlabArenaTests
{
    [Fact]
    public void Rents_every_page_up_to_the_limit_then_refuses()
    {
        using var arena = new SlabArena(8L << 20);
        Assert.Equal(8, arena.PageLimit);
        var pages = new HashSet<int>();
        for (int i = 0; i < 8; i++)
        {
            int page = arena.TryRentPage();
            Assert.InRange(page, 1, 8); // page 0 is reserved: reference 0 means "none"
            Assert.True(pages.Add(page));
            Assert.Equal(i + 1, arena.PagesRented);
        }
        Assert.Equal(-1, arena.TryRentPage());
        Assert.Equal(8, arena.PagesRented);
    }

    [Fact]
    public void A_returned_page_can_be_rented_again()
    {
        using var arena = new SlabArena(EngineLimits.MinMemoryLimit);
        var pages = new List<int>();
        for (int page; (page = arena.TryRentPage()) > 0;)
        {
            pages.Add(page);
        }
        Assert.Equal(4, pages.Count);
        arena.ReturnPage(pages[2]);
        Assert.Equal(3, arena.PagesRented);
        Assert.Equal(pages[2], arena.TryRentPage());
        Assert.Equal(-1, arena.TryRentPage());
        foreach (int page in pages)
        {
            arena.ReturnPage(page);
        }
        Assert.Equal(0, arena.PagesRented);
        var again = new HashSet<int>();
        for (int page; (page = arena.TryRentPage()) > 0;)
        {
            again.Add(page);
        }
        Assert.Equal(pages.ToHashSet(), again);
    }

    [Fact]
    public void Concurrent_renters_never_share_a_page_or_exceed_the_limit()
    {
        using var arena = new SlabArena(64L << 20);
        var owned = new int[4][];
        Parallel.For(0, 4, t =>
        {
            var mine = new List<int>();
            for (int round = 0; round < 2000; round++)
            {
                int page = arena.TryRentPage();
                if (page > 0) mine.Add(page);
                if (mine.Count > 0 && round % 3 == 0)
                {
                    arena.ReturnPage(mine[^1]);
                    mine.RemoveAt(mine.Count - 1);
                }
            }
            owned[t] = [.. mine];
        });
        int[] all = [.. owned.SelectMany(p => p)];
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.True(all.Length <= arena.PageLimit);
        Assert.Equal(all.Length, arena.PagesRented);
    }

    [Fact]
    public void Table_memory_is_counted_and_given_back()
    {
        using var arena = new SlabArena(EngineLimits.MinMemoryLimit);
        NativeBlock a = arena.AllocateZeroed(4096);
        NativeBlock b = arena.AllocateZeroed(640);
        Assert.Equal(4096 + 640, arena.TableBytes);
        arena.Free(a);
        Assert.Equal(640, arena.TableBytes);
        arena.Free(b);
        Assert.Equal(0, arena.TableBytes);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 4)]
    [InlineData(3, EngineLimits.PageSize - 4)]
    [InlineData(16383, 123456)]
    public void Item_references_round_trip_page_and_offset(int page, int offset)
    {
        uint itemRef = SlabArena.RefOf(page, offset);
        Assert.NotEqual(0u, itemRef);
        Assert.Equal(page, SlabArena.PageOf(itemRef));
        Assert.Equal(offset, SlabArena.OffsetOf(itemRef));
    }

    [Theory]
    [InlineData(EngineLimits.MinMemoryLimit - 1)]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(EngineLimits.MaxMemoryLimit + 1)]
    public void Limits_out_of_range_are_refused(long limit)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlabArena(limit));
    }
}
