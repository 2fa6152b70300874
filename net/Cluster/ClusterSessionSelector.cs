using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A client connection of the orchestrator before its first byte: that byte picks the protocol (the binary
/// request magic 0xEC, or RESP) for the connection's life, as on a worker. In protected mode
/// (<see cref="AccessControl.RefusesRemoteClients"/>) a client not on the loopback interface is answered
/// <c>DENIED</c> in that protocol instead, and the connection closes once the answer is out.
/// </summary>
public sealed class ClusterSessionSelector(Cluster cluster, AccessControl? access = null) : IDuplexHandler
{
    private readonly AccessControl _access = access ?? AccessControl.Open;
    private IDuplexChannel? _channel;
    private ClusterSession? _session;
    // Protected mode's refusal: set once, on the loop's thread, and taken by the next send (same thread).
    private bool _refused;
    private byte[]? _refusal;

    /// <summary>The protocol session, once the first byte chose it.</summary>
    internal ClusterSession? Session => Volatile.Read(ref _session);

    /// <inheritdoc />
    public void Attach(IDuplexChannel channel) => _channel = channel;

    /// <inheritdoc />
    public int Process(ReadOnlySpan<byte> input)
    {
        if (_session == null)
        {
            if (_refused)
            {
                return input.Length;
            }
            if (input.IsEmpty)
            {
                return 0;
            }
            bool binary = BinaryProtocol.IsBinaryProtocol(input[0]);
            if (_channel != null && !_access.Admits(_channel.RemoteEndPoint))
            {
                _refusal = AccessControl.DeniedReply(binary).ToArray();
                _refused = true;
                _channel.Wake();
                return input.Length;
            }
            ClusterSession session = binary
                ? new ClusterBinarySession(cluster, _access)
                : new ClusterRespSession(cluster, _access);
            session.Attach(_channel!);
            Volatile.Write(ref _session, session);
        }
        return _session.Process(input);
    }

    /// <inheritdoc />
    public bool CanReceive => Volatile.Read(ref _session)?.CanReceive ?? !_refused;

    /// <inheritdoc />
    public void TakeReady(OutputBuffer output)
    {
        if (Volatile.Read(ref _session) is { } session)
        {
            session.TakeReady(output);
        }
        else if (_refusal is { } refusal)
        {
            output.Write(refusal);
            _refusal = null;
        }
    }

    /// <inheritdoc />
    public bool CloseRequested => Volatile.Read(ref _session)?.CloseRequested ?? _refused;

    /// <inheritdoc />
    public bool HasOutstanding => Volatile.Read(ref _session)?.HasOutstanding ?? _refusal != null;

    /// <inheritdoc />
    public void Housekeep() => Volatile.Read(ref _session)?.Housekeep();

    /// <inheritdoc />
    public void OnClosed() => Volatile.Read(ref _session)?.OnClosed();
}
