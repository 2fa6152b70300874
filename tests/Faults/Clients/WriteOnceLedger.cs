using System.Collections.Concurrent;

namespace EchoCache.Faults.Clients;

/// <summary>Every write-once key the cluster acknowledged: its value, when it was sent and when the acknowledgement arrived.</summary>
internal sealed class WriteOnceLedger
{
    private readonly ConcurrentQueue<(string Key, string Value, long Called, long Acknowledged)> _writes = new();

    /// <summary>Acknowledged writes so far.</summary>
    public int Count => _writes.Count;

    /// <summary>Records an acknowledged write.</summary>
    public void Add(string key, string value, long called, long acknowledged) => _writes.Enqueue((key, value, called, acknowledged));

    /// <summary>Every acknowledged write.</summary>
    public IReadOnlyList<(string Key, string Value, long Called, long Acknowledged)> Writes => [.. _writes];
}
