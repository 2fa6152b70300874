using System.Runtime.InteropServices;

namespace EchoCache.Bench;

/// <summary>
/// glibc's malloc_trim, for the memory report's <c>--trim</c> diagnostic: it hands free memory inside the
/// malloc heap back to the kernel, which shows how much of an RSS delta is memory the engine already freed
/// (old hash tables after a resize) but glibc kept.
/// </summary>
public static class GlibcMalloc
{
    /// <summary>Calls malloc_trim(0); false where there is no glibc (or nothing was released).</summary>
    public static bool Trim()
    {
        try
        {
            return MallocTrim(0) != 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
