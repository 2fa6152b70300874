using EchoCache.Engine;

namespace EchoCache.Bench;

/// <summary>Prints the engine's slab size classes as a markdown table (<c>dotnet run ... -- classes</c>).</summary>
public static class SizeClassTable
{
    /// <summary>Writes the table to standard output.</summary>
    public static int Print()
    {
        Console.WriteLine($"| class | chunk bytes | chunks per 1 MiB page | largest flag-less item: key + value bytes |");
        Console.WriteLine("| ---: | ---: | ---: | ---: |");
        int[] sizes = SizeClasses.ChunkSizes;
        for (int i = 0; i < sizes.Length; i++)
        {
            Console.WriteLine($"| {i} | {sizes[i]:N0} | {EngineLimits.PageSize / sizes[i]:N0} | {sizes[i] - Item.HeaderSize:N0} |");
        }
        return 0;
    }
}
