namespace EchoCache.Load.Flood;

/// <summary>What became of a <see cref="MemoryFlood"/>'s writes.</summary>
/// <param name="Sent">SETs sent.</param>
/// <param name="Acknowledged">SETs answered +OK.</param>
/// <param name="Refused">SETs answered anything else (an error).</param>
/// <param name="FailedConnections">Connections that failed (their batch in flight has no answer).</param>
/// <param name="Bytes">Value bytes sent.</param>
/// <param name="Elapsed">How long the flood ran.</param>
/// <param name="FirstProblem">The first refusal or failure, in words; null when there was none.</param>
public sealed record FloodResult(long Sent, long Acknowledged, long Refused, int FailedConnections, long Bytes, TimeSpan Elapsed,
    string? FirstProblem)
{
    /// <summary>Whether every write sent was acknowledged.</summary>
    public bool AllAcknowledged => Sent == Acknowledged && Refused == 0 && FailedConnections == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Sent:N0} SETs ({Bytes / 1048576.0:F1} MiB of values) in {Elapsed.TotalSeconds:F1} s: {Acknowledged:N0} acknowledged, {Refused:N0} refused, {FailedConnections} connections failed{(FirstProblem == null ? "" : $"; first: {FirstProblem}")}";
}
