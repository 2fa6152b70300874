using System.Runtime.InteropServices;

namespace EchoCache.Net.Hosting;

/// <summary>How a host waits for its end: SIGTERM or Ctrl-C (SIGINT), handled as a clean stop rather than a kill.</summary>
public static class StopSignal
{
    /// <summary>
    /// Blocks until SIGTERM or SIGINT arrives and returns its name; meanwhile runs <paramref name="onTick"/>
    /// every <paramref name="tick"/> on the calling thread (the worker's maintenance).
    /// </summary>
    public static string Wait(TimeSpan tick, Action? onTick = null)
    {
        using var stop = new ManualResetEventSlim();
        string signal = "";
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            signal = context.Signal.ToString();
            stop.Set();
        }
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        while (!stop.Wait(tick))
        {
            onTick?.Invoke();
        }
        return signal;
    }
}
