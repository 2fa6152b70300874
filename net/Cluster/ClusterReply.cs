using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>The outcome of a cluster call, as a session formats it for its client: a worker's reply frame, or a status alone.</summary>
public readonly ref struct ClusterReply
{
    /// <summary>A reply carrying only a status (Unavailable, a refusal before any worker was asked).</summary>
    public ClusterReply(BinaryStatus status, ReadOnlySpan<byte> reason = default)
    {
        Status = status;
        Value = reason;
    }

    /// <summary>A worker's reply frame.</summary>
    public ClusterReply(in BinaryFrame frame)
    {
        Status = frame.Header.Status;
        Header = frame.Header;
        Key = frame.Key;
        Value = frame.Value;
    }

    /// <summary>A reply rebuilt from parts (a write's result, copied when its replica answered).</summary>
    public ClusterReply(in BinaryFrameHeader header, ReadOnlySpan<byte> value)
    {
        Status = header.Status;
        Header = header;
        Value = value;
    }

    /// <summary>The outcome.</summary>
    public BinaryStatus Status { get; }

    /// <summary>The worker's reply header (version, flags, expiry), when a worker answered.</summary>
    public BinaryFrameHeader Header { get; }

    /// <summary>The key the worker's reply carried, if any.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value (or an error's reason).</summary>
    public ReadOnlySpan<byte> Value { get; }
}
