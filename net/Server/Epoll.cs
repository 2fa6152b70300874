using System.Runtime.InteropServices;

namespace EchoCache.Net.Server;

/// <summary>
/// The few Linux calls an <see cref="EventLoop"/> needs: epoll and an eventfd to wake it. Sockets themselves are
/// read and written through <see cref="System.Net.Sockets.Socket"/> in non-blocking mode, so no buffer crosses
/// this boundary. Every signature is blittable (ints, and int arrays the runtime pins), so no unsafe code.
/// <para>
/// <c>struct epoll_event { uint32_t events; uint64_t data; }</c> is packed on x86-64 (12 bytes: events at 0,
/// data at 4) and naturally aligned elsewhere (16 bytes: events at 0, data at 8). Events are read and written
/// as ints with the stride and data offset of the running architecture; data carries a registration id.
/// </para>
/// </summary>
internal static class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    private const int CtlAdd = 1;
    private const int CtlDelete = 2;
    private const int CloseOnExec = 0x80000;  // EPOLL_CLOEXEC, EFD_CLOEXEC
    private const int NonBlocking = 0x800;    // EFD_NONBLOCK
    private const int Interrupted = 4;        // EINTR

    /// <summary>Ints per event: 3 where the struct is packed (x86-64), 4 elsewhere.</summary>
    public static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 3 : 4;

    /// <summary>The int index of the (low half of the) data field within an event.</summary>
    private static readonly int DataOffset = Stride == 3 ? 1 : 2;

    /// <summary>A new epoll instance.</summary>
    public static int Create()
    {
        int fd = epoll_create1(CloseOnExec);
        if (fd < 0) throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/>, reporting them with <paramref name="id"/>.</summary>
    public static void Add(int epoll, int fd, uint events, int id)
    {
        int[] e = new int[4];
        e[0] = (int)events;
        e[DataOffset] = id;
        if (epoll_ctl(epoll, CtlAdd, fd, e) != 0)
        {
            throw new InvalidOperationException($"epoll_ctl(ADD) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Stops watching <paramref name="fd"/> (closing it would too; this says so before the id is reused).</summary>
    public static void Remove(int epoll, int fd) => epoll_ctl(epoll, CtlDelete, fd, new int[4]);

    /// <summary>Waits for events; returns how many were written into <paramref name="events"/> (0 when interrupted).</summary>
    public static int Wait(int epoll, int[] events, int timeoutMs)
    {
        int count = epoll_wait(epoll, events, events.Length / Stride, timeoutMs);
        if (count >= 0) return count;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Interrupted) return 0;
        throw new InvalidOperationException($"epoll_wait failed: errno {errno}");
    }

    /// <summary>The events of the <paramref name="index"/>th entry.</summary>
    public static uint EventsAt(int[] events, int index) => (uint)events[index * Stride];

    /// <summary>The registration id of the <paramref name="index"/>th entry.</summary>
    public static int IdAt(int[] events, int index) => events[index * Stride + DataOffset];

    /// <summary>A non-blocking eventfd to wake a waiting loop.</summary>
    public static int CreateEvent()
    {
        int fd = eventfd(0, NonBlocking | CloseOnExec);
        if (fd < 0) throw new InvalidOperationException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        return fd;
    }

    /// <summary>Makes <paramref name="eventFd"/> readable (wakes the loop watching it).</summary>
    public static void Signal(int eventFd)
    {
        long one = 1;
        _ = write(eventFd, ref one, sizeof(long));
    }

    /// <summary>Resets <paramref name="eventFd"/> after a wake.</summary>
    public static void Drain(int eventFd)
    {
        long value = 0;
        _ = read(eventFd, ref value, sizeof(long));
    }

    /// <summary>Closes a descriptor this class created.</summary>
    public static void Close(int fd) => _ = close(fd);

#pragma warning disable SYSLIB1054 // LibraryImport would generate unsafe code; these blittable signatures need none
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_ctl(int epfd, int op, int fd, int[] ev);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int epoll_wait(int epfd, int[] events, int maxevents, int timeout);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint write(int fd, ref long value, nint count);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint read(int fd, ref long value, nint count);

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
