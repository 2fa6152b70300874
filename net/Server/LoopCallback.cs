namespace EchoCache.Net.Server;

/// <summary>Which <see cref="ILoopSocket"/> callback an <see cref="EventLoop"/> runs (each guarded the same way).</summary>
internal enum LoopCallback
{
    /// <summary><see cref="ILoopSocket.OnEvents"/>: epoll reported the socket.</summary>
    Events,

    /// <summary><see cref="ILoopSocket.OnScheduled"/>: work scheduled for after the batch.</summary>
    Scheduled,

    /// <summary><see cref="ILoopSocket.OnIdleCheck"/>: the loop's housekeeping.</summary>
    IdleCheck,
}
