namespace EchoCache.Net.Server;

/// <summary>A socket driven by an <see cref="EventLoop"/>: every call comes on the loop's thread.</summary>
internal interface ILoopSocket
{
    /// <summary>epoll reported <paramref name="events"/> (edge-triggered: read until drained, write until full).</summary>
    void OnEvents(uint events);

    /// <summary>
    /// Scheduled work, run after the loop has handled every event of its batch: send everything queued (so the
    /// requests and replies of a whole batch leave in one send per socket), and read again if reading was paused.
    /// </summary>
    void OnScheduled();

    /// <summary>
    /// The loop's housekeeping, about once a second (<see cref="EventLoop.IdleCheckInterval"/>): a socket that has
    /// seen no event and no scheduled work since the last one may give back what it holds while idle.
    /// </summary>
    void OnIdleCheck();

    /// <summary>One of the calls above threw (a bug): close the socket; the loop goes on with the others.</summary>
    void OnFault(Exception exception);
}
