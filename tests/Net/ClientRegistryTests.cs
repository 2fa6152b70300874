using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net;

/// <summary>The registry of a server's RESP clients (<see cref="ClientRegistry"/>) and CLIENT KILL's filters over it.</summary>
public sealed class ClientRegistryTests
{
    private readonly ClientRegistry _registry = new();

    [Fact]
    public void Clients_are_found_by_id_and_listed_oldest_first_until_removed()
    {
        ConnectedClient c3 = Add(3, 50003), c1 = Add(1, 50001), c2 = Add(2, 50002);
        Assert.Equal(3, _registry.Count);
        Assert.Equal([c1, c2, c3], _registry.Snapshot());
        Assert.Same(c2, _registry.Find(2));
        Assert.Null(_registry.Find(4));

        Assert.True(_registry.Remove(c2));
        Assert.False(_registry.Remove(c2));
        Assert.False(_registry.Remove(new ConnectedClient(1))); // another client with a taken id is not the one held
        Assert.Equal([c1, c3], _registry.Snapshot());
        Assert.Null(_registry.Find(2));
    }

    [Fact]
    public void Kill_by_id_closes_that_client_once_and_it_leaves_the_list_at_once()
    {
        ConnectedClient me = Add(1, 50001), other = Add(2, 50002);
        var filter = new ClientKillFilter(null, null, null, Id: 2, SkipCaller: true);
        Assert.Equal(1, _registry.Kill(filter, me, out bool killMe));
        Assert.False(killMe);
        Assert.Equal(1, Connection(other).Kills);
        Assert.Equal([me], _registry.Snapshot());
        Assert.Equal(0, _registry.Kill(filter, me, out _)); // gone already
        Assert.Equal(1, Connection(other).Kills);
        Assert.Equal(0, Connection(me).Kills);
    }

    [Fact]
    public void The_caller_is_spared_by_skipme_or_counted_and_left_for_its_session_to_close()
    {
        ConnectedClient me = Add(1, 50001), other = Add(2, 50002);
        Assert.Equal(0, _registry.Kill(new ClientKillFilter(null, null, null, 1, SkipCaller: true), me, out bool killMe));
        Assert.False(killMe);

        Assert.Equal(2, _registry.Kill(new ClientKillFilter(null, null, null, 0, SkipCaller: false), me, out killMe));
        Assert.True(killMe);
        Assert.Equal(0, Connection(me).Kills); // its session closes it once the reply is out
        Assert.Equal(1, Connection(other).Kills);
        Assert.Equal([me], _registry.Snapshot());
    }

    [Fact]
    public void Address_local_address_and_type_filters_match_as_redis_compares_them()
    {
        ConnectedClient me = Add(1, 50001), a = Add(2, 50002), b = Add(3, 50003);
        Assert.Equal(0, _registry.Kill(new ClientKillFilter("127.0.0.1:5000", null, null, 0, false), me, out _));
        Assert.Equal(0, _registry.Kill(new ClientKillFilter(null, null, ClientType.Master, 0, false), me, out _));
        Assert.Equal(0, _registry.Kill(new ClientKillFilter(null, null, ClientType.Replica, 0, false), me, out _));
        Assert.Equal(0, _registry.Kill(new ClientKillFilter(null, null, ClientType.PubSub, 0, false), me, out _));
        Assert.Equal(0, _registry.Kill(new ClientKillFilter(null, "127.0.0.1:6380", null, 0, false), me, out _));
        Assert.Equal(0, _registry.Kill(new ClientKillFilter("127.0.0.1:50002", null, null, 3, false), me, out _)); // both must match
        Assert.Equal(3, _registry.Count);

        Assert.Equal(1, _registry.Kill(new ClientKillFilter("127.0.0.1:50002", "127.0.0.1:6379", ClientType.Normal, 0, true), me, out _));
        Assert.Equal(1, Connection(a).Kills);
        Assert.Equal(1, _registry.Kill(new ClientKillFilter(null, "127.0.0.1:6379", ClientType.Normal, 0, true), me, out bool killMe));
        Assert.False(killMe);
        Assert.Equal(1, Connection(b).Kills);
        Assert.Equal([me], _registry.Snapshot());
    }

    [Fact]
    public async Task Sessions_coming_and_going_on_many_threads_leave_the_registry_consistent()
    {
        const int Threads = 4, PerThread = 2000;
        using var done = new CancellationTokenSource();
        Task lister = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                ConnectedClient[] clients = _registry.Snapshot();
                for (int i = 1; i < clients.Length; i++)
                {
                    Assert.True(clients[i - 1].Id < clients[i].Id);
                }
            }
        });
        Parallel.For(0, Threads, thread =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                var client = new ConnectedClient(1 + (thread * PerThread) + i);
                _registry.Add(client);
                if (i % 2 == 0)
                {
                    Assert.True(_registry.Remove(client));
                }
            }
        });
        done.Cancel();
        await lister.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Threads * PerThread / 2, _registry.Count);
    }

    private ConnectedClient Add(long id, int port)
    {
        var client = new ConnectedClient(id);
        client.Connect(new FakeClientConnection(port));
        _registry.Add(client);
        return client;
    }

    private static FakeClientConnection Connection(ConnectedClient client) => (FakeClientConnection)client.Connection!;
}
