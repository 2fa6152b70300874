using System.Runtime.InteropServices;
using EchoCache.Net.Security;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Hosting;

/// <summary>
/// Reads a host's cluster secret file again on SIGHUP (docs/operations.md, "Rotating the secret"): a file that
/// cannot be read, or is too short, leaves the secret in use as it was, and says so in the log.
/// </summary>
public static partial class SecretReload
{
    /// <summary>Reloads <paramref name="secret"/> from <paramref name="path"/> on each SIGHUP, until disposed.</summary>
    public static PosixSignalRegistration Register(ClusterSecret secret, string path, ILogger logger) =>
        HangUpSignal.Register(() =>
        {
            try
            {
                secret.Adopt(ClusterSecret.ReadFile(path));
                Reloaded(logger, path);
            }
            catch (InvalidDataException e)
            {
                NotReloaded(logger, e.Message);
            }
        });

    [LoggerMessage(30, LogLevel.Information, "SIGHUP: the cluster secret was read again from {Path}; new links prove it")]
    private static partial void Reloaded(ILogger logger, string path);

    [LoggerMessage(31, LogLevel.Error, "SIGHUP: the cluster secret was not reloaded, the old one stays in use: {Reason}")]
    private static partial void NotReloaded(ILogger logger, string reason);
}
