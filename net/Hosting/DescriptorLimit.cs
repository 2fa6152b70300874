using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Hosting;

/// <summary>
/// The process's limit on open file descriptors (RLIMIT_NOFILE), which every connection and worker link spends one
/// of. A JIT-run .NET process raises its soft limit to the hard one at start (CoreCLR's PAL does: dotnet under
/// <c>ulimit -Sn 1024</c> runs with the hard limit); the .NET 10.0.12 Native AOT runtime does not (a host started so kept
/// 1024, and its runtime libraries call no setrlimit; dotnet/runtime issue 82719). So a host raises it itself, first
/// thing, as CoreCLR would: otherwise a common default soft limit of 1024 caps the server far below
/// <c>--max-connections</c>.
/// <para>
/// <c>struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }</c>: two unsigned 64-bit values on 64-bit Linux (x86-64,
/// arm64), read and written here as a two-element long array; RLIM_INFINITY is all ones (-1 as a long).
/// </para>
/// </summary>
public static partial class DescriptorLimit
{
    private const int ResourceOpenFiles = 7; // RLIMIT_NOFILE on x86-64 and arm64 (asm-generic/resource.h)

    /// <summary>
    /// Descriptors a server spends beyond its client connections: connections being refused (at most
    /// <see cref="Server.SocketServer.MaxRefusing"/>), worker links, the listener, epoll, eventfds, standard streams.
    /// </summary>
    public const int Overhead = Server.SocketServer.MaxRefusing + 256;

    /// <summary>The soft and hard limits now; (-1, -1) when they cannot be read. -1 alone means unlimited.</summary>
    public static (long Soft, long Hard) Current
    {
        get
        {
            long[] limits = new long[2];
            return OperatingSystem.IsLinux() && getrlimit(ResourceOpenFiles, limits) == 0 ? (limits[0], limits[1]) : (-1, -1);
        }
    }

    /// <summary>
    /// Raises the soft limit to the hard one (the most an unprivileged process may), and logs a warning when even that
    /// leaves fewer descriptors than <paramref name="maxConnections"/> connections need. Linux only; elsewhere nothing.
    /// </summary>
    public static void Raise(ILogger logger, int maxConnections)
    {
        (long before, _) = Current;
        long soft = RaiseToHard();
        if (soft != before)
        {
            Raised(logger, before, soft);
        }
        long needed = (long)maxConnections + Overhead;
        if (soft >= 0 && soft < needed)
        {
            TooLow(logger, soft, maxConnections, needed);
        }
    }

    /// <summary>
    /// Raises the soft limit to the hard one where it is lower; returns the soft limit now (-1: unlimited, or unknown
    /// off Linux). An unlimited hard limit may exceed what the kernel allows (fs.nr_open): the soft one then stays.
    /// </summary>
    public static long RaiseToHard()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }
        long[] limits = new long[2];
        if (getrlimit(ResourceOpenFiles, limits) != 0)
        {
            return -1;
        }
        long soft = limits[0];
        if (soft != limits[1])
        {
            limits[0] = limits[1];
            if (setrlimit(ResourceOpenFiles, limits) == 0)
            {
                soft = limits[1];
            }
        }
        return soft;
    }

    [LoggerMessage(50, LogLevel.Debug, "open files limit raised from {Before} to {After} (the hard limit)")]
    private static partial void Raised(ILogger logger, long before, long after);

    [LoggerMessage(51, LogLevel.Warning, "the open files limit is {Limit}, below the {Needed} that --max-connections {MaxConnections} needs: past it new connections fail in accept and wait in the backlog (raise the hard limit: ulimit -Hn, or LimitNOFILE= in a systemd unit)")]
    private static partial void TooLow(ILogger logger, long limit, int maxConnections, long needed);

#pragma warning disable SYSLIB1054 // LibraryImport would generate unsafe code; these blittable signatures need none
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int getrlimit(int resource, long[] limits);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int setrlimit(int resource, long[] limits);
#pragma warning restore SYSLIB1054
}
