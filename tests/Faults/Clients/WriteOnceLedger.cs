using System.Collections.Concurrent;

namespace EchoCache.Faults.Clients;

/// <summary>Every write-once key the cluster acknowledged: its value and when the acknowledgement arrived.</summary>
internal sealed class WriteOnceLedger
{
    private readonly ConcurrentQueue<(string Key, string Value, long Acknowledged)> _writes = new();

    /// <summary>Acknowledged writes so far.</summary>
    public int Count => _writes.Count;

    /// <summary>Records an acknowledged write.</summary>
    public void Add(string key, string value, long acknowledged) => _writes.Enqueue((key, value, acknowledged));

    /// <summary>Every acknowledged write.</summary>
    public IReadOnlyList<(string Key, string Value, long Acknowledged)> Writes => [.. _writes];
}
