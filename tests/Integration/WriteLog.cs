using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// What a test wrote through the orchestrator: the last acknowledged value of each key (null once deleted), the
/// keys whose last write was not acknowledged (outcome unknown), and a line per unacknowledged write. Writes go
/// out 64 at a time; the keys of one call must be distinct.
/// </summary>
public sealed class WriteLog
{
    private readonly Lock _lock = new();

    /// <summary>Last acknowledged value per key; null when the last acknowledged write deleted it.</summary>
    public Dictionary<string, string?> Expected { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys whose last write was not acknowledged.</summary>
    public HashSet<string> Unacknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>Each write that was not acknowledged, with its answer.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Sets each key to its value.</summary>
    public async Task SetAsync(EchoClient client, IEnumerable<(string Key, string Value)> writes)
    {
        foreach ((string Key, string Value)[] batch in writes.Chunk(64))
        {
            EchoReply[] replies = await Task.WhenAll(batch.Select(w =>
                client.SetAsync(Encoding.UTF8.GetBytes(w.Key), Encoding.UTF8.GetBytes(w.Value))));
            for (int i = 0; i < batch.Length; i++)
            {
                Record($"SET {batch[i].Key}", batch[i].Key, replies[i], replies[i].IsOk, batch[i].Value);
            }
        }
    }

    /// <summary>Deletes each key (NotFound counts as acknowledged: it is absent either way).</summary>
    public async Task DeleteAsync(EchoClient client, IEnumerable<string> keys)
    {
        foreach (string[] batch in keys.Chunk(64))
        {
            EchoReply[] replies = await Task.WhenAll(batch.Select(key => client.DeleteAsync(Encoding.UTF8.GetBytes(key))));
            for (int i = 0; i < batch.Length; i++)
            {
                Record($"DEL {batch[i]}", batch[i], replies[i], replies[i].Status is BinaryStatus.Ok or BinaryStatus.NotFound, null);
            }
        }
    }

    private void Record(string write, string key, EchoReply reply, bool acknowledged, string? value)
    {
        using (_lock.EnterScope())
        {
            if (acknowledged)
            {
                Expected[key] = value;
                Unacknowledged.Remove(key);
            }
            else
            {
                Unacknowledged.Add(key);
                Failures.Add($"{write}: {reply.Status} {Encoding.UTF8.GetString(reply.Value)}");
            }
        }
    }
}
