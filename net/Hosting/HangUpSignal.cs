using System.Runtime.InteropServices;

namespace EchoCache.Net.Hosting;

/// <summary>SIGHUP, the conventional "read your configuration again": a host reloads its secret files on it.</summary>
public static class HangUpSignal
{
    /// <summary>Runs <paramref name="onHangUp"/> on each SIGHUP (on a runtime thread) until the registration is disposed.</summary>
    public static PosixSignalRegistration Register(Action onHangUp) =>
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // not the default action, which ends the process
            onHangUp();
        });
}
