using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>
/// CLIENT LIST, CLIENT INFO and CLIENT KILL on the published binaries, as Redis 7.0 answers them: a worker for its
/// own RESP clients, the orchestrator for its own (never its links to workers), over real connections.
/// </summary>
public sealed class ClientCommandsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Tiers => ["worker", "orchestrator"];

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Two_connections_see_each_other_by_name_and_client_info_shows_the_caller(string tier)
    {
        using IDisposable server = Start(tier, out int port);
        using RespConnection alpha = RespConnection.Connect(port, Timeout);
        using RespConnection beta = RespConnection.Connect(port, Timeout);
        Assert.True(alpha.Call("CLIENT", "SETNAME", "alpha").IsStatus("OK"));
        Assert.True(beta.Call("CLIENT", "SETNAME", "beta").IsStatus("OK"));
        long alphaId = alpha.Call("CLIENT", "ID").Integer;
        long betaId = beta.Call("CLIENT", "ID").Integer;

        string[] lines = Lines(alpha.Call("CLIENT", "LIST"));
        Assert.Equal(2, lines.Length); // no other client: a worker's links from an orchestrator speak the binary protocol
        Assert.StartsWith($"id={alphaId} addr=127.0.0.1:{alpha.LocalPort} laddr=127.0.0.1:{port} fd=", lines[0], StringComparison.Ordinal);
        Assert.Contains(" name=alpha age=", lines[0], StringComparison.Ordinal);
        Assert.Contains(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ", lines[0], StringComparison.Ordinal);
        Assert.Contains(" cmd=client|list user=default redir=-1 resp=2", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"id={betaId} addr=127.0.0.1:{beta.LocalPort} laddr=127.0.0.1:{port} fd=", lines[1], StringComparison.Ordinal);
        Assert.Contains(" name=beta age=", lines[1], StringComparison.Ordinal);
        Assert.Contains(" cmd=client|id ", lines[1], StringComparison.Ordinal);

        string info = Lines(beta.Call("CLIENT", "INFO")).Single();
        Assert.StartsWith($"id={betaId} addr=127.0.0.1:{beta.LocalPort} laddr=127.0.0.1:{port} fd=", info, StringComparison.Ordinal);
        Assert.Contains(" name=beta ", info, StringComparison.Ordinal);
        Assert.Contains(" cmd=client|info ", info, StringComparison.Ordinal);

        Assert.True(beta.Call("SET", "k", "v").IsStatus("OK"));
        Assert.Equal("v", beta.Call("GET", "k").Text);
        string byId = Lines(alpha.Call("CLIENT", "LIST", "ID", Id(betaId))).Single();
        Assert.StartsWith($"id={betaId} ", byId, StringComparison.Ordinal);
        Assert.Contains(" cmd=get ", byId, StringComparison.Ordinal);
        Assert.Empty(alpha.Call("CLIENT", "LIST", "TYPE", "pubsub").Text!);
        Assert.Equal("ERR Unknown client type 'nope'", alpha.Call("CLIENT", "LIST", "TYPE", "nope").Text);
    }

    [Theory]
    [MemberData(nameof(Tiers))]
    public void Client_kill_closes_the_other_connection_or_the_caller_after_its_reply(string tier)
    {
        using IDisposable server = Start(tier, out int port);
        using RespConnection killer = RespConnection.Connect(port, Timeout);
        using RespConnection victim = RespConnection.Connect(port, Timeout);
        using RespConnection byAddress = RespConnection.Connect(port, Timeout);
        long victimId = victim.Call("CLIENT", "ID").Integer;
        Assert.True(byAddress.Call("PING").IsStatus("PONG"));

        RespReply killed = killer.Call("CLIENT", "KILL", "ID", Id(victimId));
        Assert.Equal(':', killed.Type);
        Assert.Equal(1, killed.Integer);
        Assert.True(victim.ReadSeesClose());
        Assert.Equal(0, killer.Call("CLIENT", "KILL", "ID", Id(victimId)).Integer);
        Assert.Equal(2, Lines(killer.Call("CLIENT", "LIST")).Length);

        Assert.True(killer.Call("CLIENT", "KILL", $"127.0.0.1:{byAddress.LocalPort}").IsStatus("OK"));
        Assert.True(byAddress.ReadSeesClose());
        Assert.Equal("ERR No such client", killer.Call("CLIENT", "KILL", $"127.0.0.1:{byAddress.LocalPort}").Text);
        Assert.Equal("ERR client-id should be greater than 0", killer.Call("CLIENT", "KILL", "ID", "0").Text);
        Assert.Equal(0, killer.Call("CLIENT", "KILL", "SKIPME", "yes").Integer);

        // SKIPME NO: the caller counts itself, gets the reply, then is closed.
        Assert.Equal(1, killer.Call("CLIENT", "KILL", "SKIPME", "no").Integer);
        Assert.True(killer.ReadSeesClose());

        using RespConnection after = RespConnection.Connect(port, Timeout);
        Assert.True(after.Call("SET", "still", "serving").IsStatus("OK"));
        Assert.Single(Lines(after.Call("CLIENT", "LIST")));
    }

    [Fact]
    public void The_orchestrator_lists_and_kills_only_its_own_clients_never_its_links_to_workers()
    {
        using LocalCluster cluster = LocalCluster.Start(2);
        using RespConnection client = RespConnection.Connect(cluster.Port, Timeout);
        Assert.True(client.Call("SET", "k", "v").IsStatus("OK")); // the links to both workers are up and in use

        string line = Lines(client.Call("CLIENT", "LIST")).Single();
        Assert.Contains($" laddr=127.0.0.1:{cluster.Port} ", line, StringComparison.Ordinal);
        Assert.Equal(0, client.Call("CLIENT", "KILL", "SKIPME", "yes").Integer);
        Assert.Equal(0, client.Call("CLIENT", "KILL", "ADDR", $"127.0.0.1:{cluster.WorkerPort(0)}").Integer);
        Assert.Equal("v", client.Call("GET", "k").Text); // the links were not touched

        // Nor does a worker list the orchestrator's links to it: only its own RESP client.
        using RespConnection direct = RespConnection.Connect(cluster.WorkerPort(0), Timeout);
        string workerLine = Lines(direct.Call("CLIENT", "LIST")).Single();
        Assert.Contains($" laddr=127.0.0.1:{cluster.WorkerPort(0)} ", workerLine, StringComparison.Ordinal);
        Assert.Contains($"addr=127.0.0.1:{direct.LocalPort} ", workerLine, StringComparison.Ordinal);
        Assert.Equal(0, direct.Call("CLIENT", "KILL", "SKIPME", "yes").Integer);
        Assert.Equal("v", client.Call("GET", "k").Text);
    }

    private static IDisposable Start(string tier, out int port)
    {
        if (tier == "worker")
        {
            return HostProcess.StartWorker(out port);
        }
        LocalCluster cluster = LocalCluster.Start(2);
        port = cluster.Port;
        return cluster;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The lines of a CLIENT LIST or CLIENT INFO reply: a bulk string, each line ending in "\n".</summary>
    private static string[] Lines(RespReply reply)
    {
        Assert.Equal('$', reply.Type);
        string text = reply.Text!;
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }
}
