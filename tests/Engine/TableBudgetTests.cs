using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

/// <summary>
/// The memory limit covers the hash tables as well as the slab pages (engine/SlabArena.cs): a flood of tiny items,
/// whose table grows to whole pages, makes the shards give pages back instead of holding the limit in pages plus the
/// table on top; and a page given back that nobody may rent returns its memory to the OS.
/// </summary>
public sealed class TableBudgetTests
{
    [Theory]
    [InlineData(8, 1, 1_500_000)]
    [InlineData(32, 16, 4_000_000)]
    public void A_flood_of_tiny_items_keeps_pages_and_tables_within_the_limit(int megabytes, int shards, int keys)
    {
        long limit = (long)megabytes << 20;
        using var engine = new CacheEngine(new EngineOptions { MemoryLimit = limit, Shards = shards });
        long maxTables = 0;
        for (int i = 0; i < keys; i++)
        {
            Assert.Equal(CacheStatus.Ok, engine.Set(Encoding.ASCII.GetBytes($"k{i}"), "v"u8, default, out _));
            if (i % 10_000 == 0)
            {
                EngineStats stats = engine.GetStats();
                maxTables = Math.Max(maxTables, stats.TableBytes);
                // Less than one page of tables is not taken from the pages (docs/operations.md, "--memory").
                Assert.True(stats.NativeBytes < limit + EngineLimits.PageSize,
                    $"after {i} sets: {stats.Pages} pages + {stats.TableBytes} bytes of tables pass the limit of {limit}");
            }
        }
        EngineStats end = engine.GetStats();
        // The tables did grow past a page, so pages had to make way for them.
        Assert.True(maxTables >= 2L * EngineLimits.PageSize, $"tables reached only {maxTables} bytes");
        Assert.True(end.Pages <= end.PageLimit - (end.TableBytes >> EngineLimits.PageShift));
        Assert.True(end.Evictions > 0);
        Assert.Equal(keys - end.Evictions, engine.Count);
        // Most of what is left still holds items: a 24-byte chunk each, at least half of the pages' worth.
        Assert.True(engine.Count > end.Pages * (EngineLimits.PageSize / 24) / 2, $"{engine.Count} items in {end.Pages} pages");
    }

    [Fact]
    public void Tables_take_whole_pages_from_the_rentable_ones_and_a_page_given_back_past_the_limit_is_discarded()
    {
        using var arena = new SlabArena(8L << 20);
        var pages = new List<int>();
        for (int page; (page = arena.TryRentPage()) > 0;)
        {
            pages.Add(page);
        }
        Assert.Equal(8, pages.Count);
        arena.PageBytes(pages[0]).Fill(0xAB);

        // Two and a half pages of tables: the limit now lets 6 pages be rented, and 8 are.
        NativeBlock table = arena.AllocateZeroed((nuint)(2.5 * EngineLimits.PageSize));
        Assert.True(arena.OverBudget);
        arena.ReturnPage(pages[0]);
        // Given back past the limit: its memory went back to the OS, and reads as zeros.
        Assert.Equal(-1, arena.PageBytes(pages[0]).IndexOfAnyExcept((byte)0));
        Assert.True(arena.OverBudget);
        arena.ReturnPage(pages[1]);
        Assert.False(arena.OverBudget); // 6 pages and 2 of tables
        Assert.Equal(-1, arena.TryRentPage());

        arena.Free(table);
        Assert.True(arena.TryRentPage() > 0);
        Assert.True(arena.TryRentPage() > 0);
        Assert.Equal(-1, arena.TryRentPage());
    }
}
