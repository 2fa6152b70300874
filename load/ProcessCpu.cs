using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Load;

/// <summary>
/// CPU time used so far by a process, all its threads: this one through <see cref="Process"/>, another (a server
/// under load) from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, in clock ticks of 10 ms: Linux's USER_HZ is 100).
/// </summary>
internal static class ProcessCpu
{
    private const long NanosecondsPerClockTick = 10_000_000;

    /// <summary>Nanoseconds of CPU used by <paramref name="pid"/> (0 = this process), or −1 when it cannot be read.</summary>
    public static long Nanoseconds(int pid)
    {
        if (pid == 0)
        {
            using Process self = Process.GetCurrentProcess();
            return self.TotalProcessorTime.Ticks * 100;
        }
        try
        {
            // "pid (comm) state ppid …": the name may hold spaces, so fields are counted after its closing parenthesis.
            string text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After the name, field 3 (state) is index 0, so utime (field 14) is index 11 and stime (15) index 12.
            long ticks = long.Parse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture)
                + long.Parse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture);
            return ticks * NanosecondsPerClockTick;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }
}
