using System.Net;
using EchoCache.Net.Security;
using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Hosting;

/// <summary>What a host says at start about who may reach it: a password, protected mode, or nothing at all.</summary>
public static partial class AccessLog
{
    /// <summary>
    /// Logs how clients of the server listening on <paramref name="endPoint"/> are let in: that a password is required,
    /// or, on an address other than loopback without one, that protected mode is on (or, worse, off).
    /// </summary>
    public static void Announce(ILogger logger, AccessControl access, IPEndPoint endPoint)
    {
        if (access.RequiresPassword)
        {
            PasswordRequired(logger);
        }
        else if (!IPAddress.IsLoopback(endPoint.Address))
        {
            if (access.RefusesRemoteClients)
            {
                ProtectedMode(logger, endPoint);
            }
            else
            {
                Unprotected(logger, endPoint);
            }
        }
    }

    /// <summary>Warns when the secret file at <paramref name="path"/> can be read by users other than its owner.</summary>
    public static void CheckSecretFile(ILogger logger, string path)
    {
        if (ClusterSecret.IsReadableByOthers(path))
        {
            SecretFileReadable(logger, path);
        }
    }

    [LoggerMessage(20, LogLevel.Information, "clients must authenticate: a password is set")]
    private static partial void PasswordRequired(ILogger logger);

    [LoggerMessage(21, LogLevel.Warning, "listening on {EndPoint} with no password: protected mode serves only clients on 127.0.0.1 and ::1 (set a password with --requirepass-file, or give --protected-mode no)")]
    private static partial void ProtectedMode(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(22, LogLevel.Warning, "listening on {EndPoint} with no password and protected mode off: anyone who reaches the port can read, write and flush")]
    private static partial void Unprotected(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(23, LogLevel.Warning, "the cluster secret file {Path} can be read by other users: chmod 600 it")]
    private static partial void SecretFileReadable(ILogger logger, string path);
}
