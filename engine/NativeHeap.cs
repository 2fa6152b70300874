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

    private const int MadviseDontNeed = 4; // MADV_DONTNEED
    private static int s_discardUnsupported;

    /// <summary>
    /// Gives the memory of <paramref name="length"/> bytes at <paramref name="start"/> (both multiples of the OS page)
    /// back to the OS, keeping the range mapped: it reads as zeros and is resident again only once written (Linux
    /// <c>madvise(MADV_DONTNEED)</c>; elsewhere nothing). For slab pages the limit no longer lets the engine hold.
    /// </summary>
    public static unsafe void Discard(void* start, nuint length)
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_discardUnsupported) != 0)
        {
            return;
        }
        try
        {
            _ = Madvise(start, length, MadviseDontNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_discardUnsupported, 1);
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int option, int value);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static unsafe partial int Madvise(void* start, nuint length, int advice);
}
