using BenchmarkDotNet.Running;

namespace EchoCache.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- --filter '*'</c> runs the benchmarks (any BenchmarkDotNet option works);
/// <c>dotnet run -c Release --project bench -- memory</c> measures bytes per item, each store in its own process;
/// <c>dotnet run -c Release --project bench -- classes</c> prints the slab size classes;
/// <c>dotnet run -c Release --project bench -- gate [alloc|time] ...</c> is the regression gate (bench/gate runs it).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "memory")
        {
            return MemoryReport.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "gate")
        {
            return Gate.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "classes")
        {
            return SizeClassTable.Print();
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());
        return 0;
    }
}
