using System.Runtime.InteropServices;

namespace EchoCache.Load;

/// <summary>
/// Sleeps with microsecond resolution (libc <c>usleep</c>): <see cref="Thread.Sleep(int)"/> rounds to whole
/// milliseconds, too coarse for an open-loop timetable, and spinning would take a core from the servers.
/// </summary>
internal static class NativeSleep
{
    [DllImport("libc", EntryPoint = "usleep")]
    private static extern int USleep(uint microseconds);

    /// <summary>Sleeps about <paramref name="microseconds"/> (the kernel adds its timer slack, ~50 µs).</summary>
    public static void Sleep(int microseconds)
    {
        if (microseconds > 0)
        {
            _ = USleep((uint)microseconds);
        }
    }
}
