using System.Globalization;

namespace EchoCache.Load.Flood;

/// <summary>A process's resident memory now and at its peak, from /proc/&lt;pid&gt;/status (Linux).</summary>
/// <param name="ResidentBytes">VmRSS.</param>
/// <param name="PeakResidentBytes">VmHWM: the highest VmRSS since the process started.</param>
public readonly record struct ProcessStatus(long ResidentBytes, long PeakResidentBytes)
{
    /// <summary>Reads process <paramref name="pid"/>'s status; null when it is gone.</summary>
    public static ProcessStatus? Read(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        long rss = -1, hwm = -1;
        foreach (string line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }
        return rss < 0 || hwm < 0 ? null : new ProcessStatus(rss, hwm);
    }

    // "VmRSS:     123456 kB"
    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
