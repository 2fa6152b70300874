using System.Runtime.InteropServices;

namespace EchoCache.Engine;

/// <summary>
/// Keeps large native blocks (hash tables: hundreds of KiB each) out of glibc's main heap. glibc raises its mmap
/// threshold after a large block is freed, so the next table would come from the heap, and the old one, freed
/// after a resize, would stay resident: measured at about 5 bytes per item at 1M items (docs/memory.md). Fixing
/// the threshold keeps every block of 128 KiB or more on its own mapping, returned to the OS when freed.
/// </summary>
internal static partial class NativeHeap
{
    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD
    private const int MmapThreshold = 128 * 1024;
    private static int s_configured;

    /// <summary>Applies the setting once per process (glibc on Linux; elsewhere nothing).</summary>
    public static void Configure()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref s_configured, 1) != 0)
        {
            return;
        }
        try
        {
            _ = Mallopt(MmapThresholdOption, MmapThreshold);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, say): its allocator returns large blocks anyway.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int option, int value);
}
