using System.Net;
using System.Net.Sockets;

namespace EchoCache.Net.Server;

/// <summary>
/// A <see cref="SocketServer"/> could not bind or listen on its endpoint: the port is in use, the address is not this
/// machine's, or a privileged port was refused. <see cref="Exception.Message"/> is the line a host prints:
/// <c>cannot listen on 127.0.0.1:3000: the port is in use by another process</c>.
/// </summary>
public sealed class ListenException(IPEndPoint endPoint, SocketException error)
    : IOException($"cannot listen on {endPoint}: {Describe(error)}", error)
{
    /// <summary>The endpoint the server was asked to listen on.</summary>
    public IPEndPoint EndPoint { get; } = endPoint;

    /// <summary>Why, in words for an operator (the socket error's own text when it is not one of the common ones).</summary>
    public string Reason { get; } = Describe(error);

    /// <summary>The socket error.</summary>
    public SocketError Error { get; } = error.SocketErrorCode;

    private static string Describe(SocketException error) => error.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "the port is in use by another process",
        SocketError.AddressNotAvailable => "the address is not one of this machine's",
        SocketError.AccessDenied => "permission denied (a port below 1024 needs privileges)",
        _ => $"{error.Message} ({error.SocketErrorCode})",
    };
}
