namespace EchoCache.Net.Worker;

/// <summary>
/// The RESP client connections of one server (a worker's, or the orchestrator's own: never its links to workers), for
/// CLIENT LIST and CLIENT KILL: a session registers when its connection starts speaking RESP and leaves when it closes.
/// Any thread; every call takes one short lock, and none is on a request's path but these commands'.
/// </summary>
public sealed class ClientRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, ConnectedClient> _clients = [];

    /// <summary>Clients registered.</summary>
    public int Count
    {
        get
        {
            using (_lock.EnterScope())
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>Registers <paramref name="client"/> (its id is its key: ids are never reused).</summary>
    public void Add(ConnectedClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        using (_lock.EnterScope())
        {
            _clients[client.Id] = client;
        }
    }

    /// <summary>Removes <paramref name="client"/>; false if it was not registered (closed, or killed already).</summary>
    public bool Remove(ConnectedClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        using (_lock.EnterScope())
        {
            return _clients.TryGetValue(client.Id, out ConnectedClient? held) && held == client && _clients.Remove(client.Id);
        }
    }

    /// <summary>The client with id <paramref name="id"/>, or null.</summary>
    public ConnectedClient? Find(long id)
    {
        using (_lock.EnterScope())
        {
            return _clients.GetValueOrDefault(id);
        }
    }

    /// <summary>Every client, oldest first (by id, as Redis lists its clients in the order they connected).</summary>
    public ConnectedClient[] Snapshot()
    {
        ConnectedClient[] clients;
        using (_lock.EnterScope())
        {
            clients = [.. _clients.Values];
        }
        Array.Sort(clients, static (a, b) => a.Id.CompareTo(b.Id));
        return clients;
    }

    /// <summary>
    /// CLIENT KILL: closes every client <paramref name="filter"/> matches and returns how many. Each leaves the
    /// registry at once (CLIENT LIST no longer shows it, another KILL no longer counts it) and its connection is shut
    /// down. The <paramref name="caller"/>, unless the filter skips it, is counted but left for its session to close
    /// once its reply is out (<paramref name="killCaller"/>), as Redis's CLIENT_CLOSE_AFTER_REPLY.
    /// </summary>
    public int Kill(in ClientKillFilter filter, ConnectedClient? caller, out bool killCaller)
    {
        killCaller = false;
        int killed = 0;
        foreach (ConnectedClient client in Snapshot())
        {
            if (!filter.Matches(client))
            {
                continue;
            }
            if (client == caller)
            {
                if (!filter.SkipCaller)
                {
                    killCaller = true;
                    killed++;
                }
            }
            else if (Remove(client))
            {
                client.Kill();
                killed++;
            }
        }
        return killed;
    }
}
