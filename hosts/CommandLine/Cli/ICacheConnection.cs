using EchoCache.Net.Client;

namespace EchoCache.CommandLine;

/// <summary>
/// The CLI's view of the cluster: connect (again), run one command. <see cref="ClusterConnection"/> is the real
/// one; the tests drive the dialogue through an in-memory one.
/// </summary>
internal interface ICacheConnection : IAsyncDisposable
{
    /// <summary>Where it connects, as shown in messages: <c>127.0.0.1:8000</c>.</summary>
    string Endpoint { get; }

    /// <summary>Opens a connection, closing the previous one if any.</summary>
    /// <exception cref="ClusterUnreachableException">No connection could be made.</exception>
    /// <exception cref="AuthenticationFailedException">The server refused the password.</exception>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends the command (set, get, del, ttl, incr, decr) and returns the server's reply.</summary>
    /// <exception cref="ConnectionLostException">The connection failed before the reply came.</exception>
    Task<EchoReply> ExecuteAsync(CliCommand command, CancellationToken cancellationToken = default);
}
