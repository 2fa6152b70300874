using System.Globalization;
using System.Text;

namespace EchoCache.Net.Commands;

/// <summary>
/// The INFO memory lines both RESP servers (a worker, the orchestrator) give about their own process: its
/// resident set, as Redis's used_memory_rss, and the .NET heap, which is not Redis's. Items live outside the
/// managed heap and the request path allocates nothing there, so the managed counters stay flat under load
/// (WorkerRespTests and OrchestratorTests hold the servers to that).
/// </summary>
internal static class ProcessMemoryInfo
{
    /// <summary>Appends the lines, each <c>name:value\r\n</c>.</summary>
    public static void Append(StringBuilder text)
    {
        Line(text, "used_memory_rss", Environment.WorkingSet);
        Line(text, "managed_heap_bytes", GC.GetTotalMemory(forceFullCollection: false));
        Line(text, "managed_allocated_bytes", GC.GetTotalAllocatedBytes(precise: true));
        Line(text, "managed_collections", GC.CollectionCount(0));
    }

    private static void Line(StringBuilder text, string name, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}:{value}\r\n");
}
