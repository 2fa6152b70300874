using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Cluster;

/// <summary>
/// A client connection of the orchestrator before its first byte: that byte picks the protocol (the binary
/// request magic 0xEC, or RESP) for the connection's life, as on a worker.
/// </summary>
public sealed class ClusterSessionSelector(Cluster cluster) : IDuplexHandler
{
    private IDuplexChannel? _channel;
    private ClusterSession? _session;

    /// <summary>The protocol session, once the first byte chose it.</summary>
    internal ClusterSession? Session => Volatile.Read(ref _session);

    /// <inheritdoc />
    public void Attach(IDuplexChannel channel) => _channel = channel;

    /// <inheritdoc />
    public int Process(ReadOnlySpan<byte> input)
    {
        if (_session == null)
        {
            if (input.IsEmpty)
            {
                return 0;
            }
            ClusterSession session = BinaryProtocol.IsBinaryProtocol(input[0])
                ? new ClusterBinarySession(cluster)
                : new ClusterRespSession(cluster);
            session.Attach(_channel!);
            Volatile.Write(ref _session, session);
        }
        return _session.Process(input);
    }

    /// <inheritdoc />
    public bool CanReceive => Volatile.Read(ref _session)?.CanReceive ?? true;

    /// <inheritdoc />
    public void TakeReady(OutputBuffer output) => Volatile.Read(ref _session)?.TakeReady(output);

    /// <inheritdoc />
    public bool CloseRequested => Volatile.Read(ref _session)?.CloseRequested ?? false;

    /// <inheritdoc />
    public bool HasOutstanding => Volatile.Read(ref _session)?.HasOutstanding ?? false;

    /// <inheritdoc />
    public void Housekeep() => Volatile.Read(ref _session)?.Housekeep();

    /// <inheritdoc />
    public void OnClosed() => Volatile.Read(ref _session)?.OnClosed();
}
