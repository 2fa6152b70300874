using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>What Linux's /proc says of a process the test started: its memory, its CPU time, its open files limit.</summary>
internal static class ProcFiles
{
    /// <summary>A memory line of /proc/&lt;pid&gt;/status in KiB: <c>VmRSS</c> (resident now) or <c>VmHWM</c> (the peak resident).</summary>
    public static long StatusKiB(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                // "VmRSS:	   23068 kB"
                string[] parts = line[(field.Length + 1)..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("kB", parts[1]);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no {field} line");
    }

    /// <summary>The CPU time the process has used, user and system, from /proc/&lt;pid&gt;/stat.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15 (proc(5)), in clock
        // ticks of USER_HZ, 100 a second on Linux.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>The soft and hard open files limits of the process, from /proc/&lt;pid&gt;/limits (-1: unlimited).</summary>
    public static (long Soft, long Hard) OpenFilesLimit(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string[] parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (Parse(parts[0]), Parse(parts[1]));
            }
        }
        throw new InvalidOperationException($"/proc/{pid}/limits has no open files line");
    }

    private static long Parse(string limit) => limit == "unlimited" ? -1 : long.Parse(limit, CultureInfo.InvariantCulture);
}
