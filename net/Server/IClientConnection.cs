using System.Net;

namespace EchoCache.Net.Server;

/// <summary>
/// What a protocol handler may know of the client connection it serves, and ask of it, from any thread: where it
/// comes from and where it arrived (CLIENT LIST's addr and laddr), its descriptor, closing it (CLIENT KILL), and
/// keeping it open however long it is quiet (an orchestrator's link).
/// Known once the connection is accepted; nothing here is read per request.
/// </summary>
public interface IClientConnection
{
    /// <summary>The peer's address, or null if the socket could not tell (the peer was gone already).</summary>
    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The server's address the connection arrived at, or null if the socket could not tell.</summary>
    IPEndPoint? LocalEndPoint { get; }

    /// <summary>The socket's file descriptor, as Redis's CLIENT LIST shows it (fd=).</summary>
    int Descriptor { get; }

    /// <summary>
    /// Closes the connection from any thread: the socket is shut down at once, so the peer sees the close before
    /// this returns, and the connection's loop then closes it without sending what was pending.
    /// </summary>
    void Kill();

    /// <summary>
    /// Keeps the connection open however long it is idle (<see cref="ServerOptions.IdleTimeout"/> no longer applies), as
    /// Redis exempts its replicas: called on the connection's loop, once it proved to be an orchestrator's link.
    /// </summary>
    void ExemptFromIdleTimeout();
}
