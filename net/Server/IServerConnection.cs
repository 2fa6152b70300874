namespace EchoCache.Net.Server;

/// <summary>What <see cref="SocketServer"/> needs of a connection, whichever loop drives it.</summary>
internal interface IServerConnection
{
    /// <summary>Starts the connection's loops.</summary>
    void Start();

    /// <summary>Shuts the socket down from another thread; the connection then closes itself.</summary>
    void Abort();
}
