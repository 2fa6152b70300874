using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// One client connection of a worker. The first byte decides the protocol for the connection's life: the
/// binary protocol's request magic (0xEC) can never start a RESP request, which begins with '*' or a letter.
/// In protected mode (<see cref="AccessControl.RefusesRemoteClients"/>) a client not on the loopback interface
/// is answered <c>DENIED</c> in that protocol instead, and the connection closes. A worker that belongs to a
/// cluster (<see cref="ClusterMembership.IsClosed"/>) serves its orchestrator's binary links only: a RESP client is
/// told to use the orchestrator, and the connection closed.
/// </summary>
public sealed class WorkerSession(CacheEngine engine, WorkerStats stats, AccessControl? access = null,
    ClusterMembership? membership = null) : IConnectionHandler
{
    private readonly AccessControl _access = access ?? AccessControl.Open;
    private BinarySession? _binary;
    private RespSession? _resp;
    private IClientConnection? _connection;
    private bool _refused;

    /// <inheritdoc />
    public void Attach(IClientConnection connection) => _connection = connection;

    /// <inheritdoc />
    public bool IsStreaming => _binary?.IsStreaming ?? false;

    /// <inheritdoc />
    public bool CloseRequested => _binary?.CloseRequested ?? _resp?.CloseRequested ?? _refused;

    /// <inheritdoc />
    public int Process(ReadOnlySpan<byte> input, OutputBuffer output)
    {
        if (_binary != null) return _binary.Process(input, output);
        if (_resp != null) return _resp.Process(input, output);
        if (_refused) return input.Length;
        if (input.IsEmpty) return 0;
        bool binary = BinaryProtocol.IsBinaryProtocol(input[0]);
        if (_connection != null && !_access.Admits(_connection.RemoteEndPoint))
        {
            output.Write(AccessControl.DeniedReply(binary));
            _refused = true;
            return input.Length;
        }
        if (binary)
        {
            _binary = new BinarySession(engine, stats, _access, membership);
            if (_connection != null)
            {
                _binary.Attach(_connection); // a link that joins is exempt from the idle timeout
            }
            return _binary.Process(input, output);
        }
        if (membership is { IsClosed: true })
        {
            membership.CountRefusedRequest();
            output.Write("-ERR this worker belongs to a cluster: send commands to its orchestrator\r\n"u8);
            _refused = true;
            return input.Length;
        }
        _resp = new RespSession(engine, stats, _access);
        if (_connection != null)
        {
            _resp.Attach(_connection); // a RESP client: CLIENT LIST shows it (the orchestrator's binary links it does not)
        }
        return _resp.Process(input, output);
    }

    /// <inheritdoc />
    public void ContinueStream(OutputBuffer output) => _binary?.ContinueStream(output);

    /// <inheritdoc />
    public void OnClosed()
    {
        _binary?.Dispose();
        _resp?.OnClosed();
    }
}
