using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Load;

/// <summary>
/// CPU time used so far by a process: this one through <see cref="Process"/>, another (a server under load) from
/// <c>/proc/&lt;pid&gt;/schedstat</c>, whose first field is its time on a CPU in nanoseconds.
/// </summary>
internal static class ProcessCpu
{
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
            string text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/schedstat");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            return long.Parse(space < 0 ? text : text[..space], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
