using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The limits a server puts on its client connections (docs/operations.md, "Limits a client meets"), on the worker
/// and the orchestrator alike: <c>--max-connections</c> (one more is told so in its own protocol and closed) and
/// <c>--timeout</c> (a client that completes no request for that long is closed, whether silent, trickling a request
/// a few bytes at a time, or not reading its replies; an orchestrator's links to a worker never are).
/// </summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Servers => new("worker", "orchestrator");

    [Theory]
    [MemberData(nameof(Servers))]
    public void A_connection_past_max_connections_is_refused_in_its_own_protocol_and_closed(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--max-connections", "3");
        using RespConnection info = RespConnection.Connect(server.Port, Timeout);
        Assert.Equal(3, InfoFields.Read(info, "maxclients"));
        InfoFields.WaitFor(info, "connected_clients", 1, Timeout); // the start's port probe has gone
        using Socket first = RawResp.Connect(server.Port);
        using (Socket second = RawResp.Connect(server.Port))
        {
            InfoFields.WaitFor(info, "connected_clients", 3, Timeout);

            using (RespConnection refused = RespConnection.Connect(server.Port, Timeout))
            {
                Assert.Equal("(error) ERR max number of clients reached", refused.Call("PING").ToString());
                Assert.True(refused.ReadSeesClose(), "the refused connection stayed open");
            }
            using (Socket binary = RawResp.Connect(server.Port))
            {
                binary.Send(RawBinary.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Ping, RequestId = 7 }, [], []));
                (BinaryFrameHeader header, string text) = RawBinary.ReadReply(binary);
                Assert.Equal((BinaryOpcode.ConnectionError, BinaryStatus.Busy, 0UL), (header.Opcode, header.Status, header.RequestId));
                Assert.Equal("max number of clients reached", text);
                Assert.Equal(0, binary.Receive(new byte[1]));
            }
            // One that says nothing is closed unanswered after the refusal's wait (2 s), not held.
            using (Socket silent = RawResp.Connect(server.Port))
            {
                var waited = Stopwatch.StartNew();
                Assert.Equal(0, silent.Receive(new byte[1]));
                Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {waited.Elapsed}, before the refusal's wait");
            }
            Assert.Equal(3, InfoFields.Read(info, "connected_clients")); // the refused were never counted
            Assert.Equal(3, InfoFields.Read(info, "rejected_connections"));
        }

        // A slot freed serves the next client.
        InfoFields.WaitFor(info, "connected_clients", 2, Timeout);
        using RespConnection next = RespConnection.Connect(server.Port, Timeout);
        Assert.Equal("PONG", next.Call("PING").ToString());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task The_binary_client_says_why_a_full_server_closed_the_connection(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--max-connections", "1");
        using RespConnection only = ServedConnection(server.Port);

        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", server.Port);
        EchoClientException refused = await Assert.ThrowsAnyAsync<EchoClientException>(() => client.PingAsync().WaitAsync(Timeout));
        Assert.Contains("max number of clients reached", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal("PONG", only.Call("PING").ToString());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Timeout_closes_silent_trickling_and_non_reading_clients_and_keeps_busy_ones(string kind)
    {
        using PasswordServer server = PasswordServer.Start(kind, "--timeout", "1");
        using (RespConnection setup = RespConnection.Connect(server.Port, Timeout))
        {
            Assert.Equal("OK", setup.Call("SET", "big", new string('v', 4096)).ToString());
        }
        var clock = Stopwatch.StartNew();
        using Socket silent = RawResp.Connect(server.Port);
        using Socket trickler = RawResp.Connect(server.Port);
        using Socket nonReader = RawResp.Connect(server.Port);
        nonReader.SendTimeout = 1000;
        using RespConnection busy = RespConnection.Connect(server.Port, Timeout);
        Task<TimeSpan> silentClosed = Task.Run(() =>
        {
            Assert.Equal(0, silent.Receive(new byte[1]));
            return clock.Elapsed;
        });
        // A request that never ends: a bulk string of 1,000,000 bytes, sent a byte every 100 ms (each byte a receive).
        Task<TimeSpan> tricklerClosed = Task.Run(async () =>
        {
            trickler.Send(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$7\r\ntrickle\r\n$1000000\r\n"));
            for (; clock.Elapsed < Timeout; await Task.Delay(100))
            {
                try
                {
                    trickler.Send("x"u8);
                }
                catch (SocketException e) when (IsClosed(e))
                {
                    return clock.Elapsed;
                }
            }
            return Timeout;
        });
        // Pipelines GETs of a 4 KiB value and never reads: once the replies fill the sockets, nothing more is done.
        byte[] gets = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(RawResp.Command("GET", "big"), 1000)));
        Task<TimeSpan> nonReaderClosed = Task.Run(async () =>
        {
            for (int offset = 0; clock.Elapsed < Timeout; await Task.Delay(100))
            {
                try
                {
                    // A send cut short by the timeout goes on from where it stopped: the stream stays well-formed.
                    offset = (offset + nonReader.Send(gets, offset, gets.Length - offset, SocketFlags.None)) % gets.Length;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    // Full: the server is not reading, but the connection is open.
                }
                catch (SocketException e) when (IsClosed(e))
                {
                    return clock.Elapsed;
                }
            }
            return Timeout;
        });

        // A client that completes a request every 250 ms is never idle for the timeout, however long it runs.
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            Assert.Equal("PONG", busy.Call("PING").ToString());
            await Task.Delay(250);
        }
        // Each of the others is closed after a second without progress and before the check after it; all within
        // the 10 s bound (each read and send above is bounded too).
        foreach ((string client, Task<TimeSpan> closed) in new[] { ("silent", silentClosed), ("trickler", tricklerClosed), ("non-reader", nonReaderClosed) })
        {
            TimeSpan at = await closed.WaitAsync(Timeout);
            Assert.True(at >= TimeSpan.FromSeconds(1) && at < Timeout, $"the {client} client was closed after {at}");
        }
        Assert.Equal("PONG", busy.Call("PING").ToString());
    }

    [Fact]
    public async Task Workers_with_a_timeout_never_close_their_orchestrators_quiet_links()
    {
        using HostProcess worker0 = HostProcess.StartWorker(out int port0, "--timeout", "1");
        using HostProcess worker1 = HostProcess.StartWorker(out int port1, "--timeout", "1");
        using HostProcess orchestrator = HostProcess.StartOrchestrator(out int port, [port0, port1]);
        await OrchestratorInfo.WaitUntilAsync(port, states => states.All(s => s == "up"), Timeout, "both workers up");
        (long, long) joins = (await LinkJoinsAsync(port0), await LinkJoinsAsync(port1));
        int logSeen = orchestrator.Output.Length; // a start slowed by a loaded machine may have logged a down before

        // The worker's timeout is in force: a client of its own is closed after a second of silence. Meanwhile the
        // orchestrator's data links carried nothing (health checks go on its control link only).
        using (Socket idle = RawResp.Connect(port0))
        {
            Assert.Equal(0, idle.Receive(new byte[1]));
        }
        Thread.Sleep(TimeSpan.FromSeconds(2)); // two more timeouts' worth of quiet on the data links

        Assert.Equal(joins, (await LinkJoinsAsync(port0), await LinkJoinsAsync(port1))); // no link was closed and joined again
        Assert.DoesNotContain(" is down", orchestrator.Output[logSeen..], StringComparison.Ordinal);
        using RespConnection client = RespConnection.Connect(port, Timeout);
        Assert.Equal("OK", client.Call("SET", "k", "v").ToString());
        Assert.Equal("\"v\"", client.Call("GET", "k").ToString());
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public void The_hosts_raise_their_open_files_soft_limit_to_the_hard_one(string kind)
    {
        // A hard limit the test may set (lowering it is allowed): the test's own, or 65,536 if it is unlimited.
        long hard = ProcFiles.OpenFilesLimit(Environment.ProcessId).Hard is var own and >= 0 ? Math.Min(own, 1 << 20) : 65_536;
        string[] prlimit = ["prlimit", string.Create(CultureInfo.InvariantCulture, $"--nofile=256:{hard}")];
        var started = new List<HostProcess>();
        try
        {
            int port = HostProcess.FreePort();
            string portText = port.ToString(CultureInfo.InvariantCulture);
            HostProcess host;
            if (kind == "worker")
            {
                host = HostProcess.StartThrough(prlimit, "worker", portText);
            }
            else
            {
                started.Add(HostProcess.StartWorker(out int port0));
                started.Add(HostProcess.StartWorker(out int port1));
                host = HostProcess.StartThrough(prlimit, "orchestrator", portText,
                    "127.0.0.1", port0.ToString(CultureInfo.InvariantCulture), "127.0.0.1", port1.ToString(CultureInfo.InvariantCulture),
                    "--log-level", "debug");
            }
            started.Add(host);
            host.WaitForPort(port);
            Assert.Equal((hard, hard), ProcFiles.OpenFilesLimit(host.Id));
        }
        finally
        {
            foreach (HostProcess process in started)
            {
                process.Dispose();
            }
        }
    }

    [Fact]
    public void A_server_out_of_descriptors_waits_without_spinning_and_serves_once_some_close()
    {
        using HostProcess worker = HostProcess.StartWorker(out int port);
        using (Process limit = Process.Start("prlimit", ["--pid", worker.Id.ToString(CultureInfo.InvariantCulture), "--nofile=64:64"]))
        {
            Assert.True(limit.WaitForExit(10_000) && limit.ExitCode == 0, "prlimit failed");
        }
        var clients = new List<Socket>();
        try
        {
            // 100 connections: the kernel completes each into the listen backlog; the worker accepts until it has no
            // descriptor left, and the rest wait in the backlog.
            for (int i = 0; i < 100; i++)
            {
                clients.Add(RawResp.Connect(port));
            }
            TimeSpan before = ProcFiles.CpuTime(worker.Id);
            Thread.Sleep(TimeSpan.FromSeconds(2));
            TimeSpan used = ProcFiles.CpuTime(worker.Id) - before;
            // An accept loop that retried at once would use a core: 2 s of CPU in these 2 s.
            Assert.True(used < TimeSpan.FromSeconds(0.5), $"the worker used {used} of CPU in 2 s with connections waiting it cannot accept");

            // Descriptors freed: the last connection, which waited in the backlog, is accepted and served.
            foreach (Socket early in clients.Take(60))
            {
                early.Dispose();
            }
            Socket last = clients[^1];
            last.Send(Encoding.ASCII.GetBytes(RawResp.Command("PING")));
            byte[] reply = new byte[7];
            RawResp.ReadExactly(last, reply); // within the socket's 10 s receive timeout
            Assert.Equal("+PONG\r\n", Encoding.ASCII.GetString(reply));
            Assert.False(worker.HasExited);
        }
        finally
        {
            foreach (Socket client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// A connection to a server that serves one at most: refused while the start's port probe still holds the slot (the
    /// server has not yet seen it close), so tried until one is served, each try bounded by the timeout.
    /// </summary>
    private static RespConnection ServedConnection(int port)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            RespConnection connection = RespConnection.Connect(port, Timeout);
            RespReply reply = connection.Call("PING");
            if (reply.ToString() == "PONG")
            {
                return connection;
            }
            connection.Dispose();
            Assert.True(reply.Text == "ERR max number of clients reached" && waited.Elapsed < Timeout, $"PING answered {reply}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Whether a send failed because the server closed the connection (a reset, or a broken pipe).</summary>
    private static bool IsClosed(SocketException e) =>
        e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted;

    private static async Task<long> LinkJoinsAsync(int workerPort)
    {
        await using EchoClient worker = await EchoClient.ConnectAsync("127.0.0.1", workerPort);
        IReadOnlyDictionary<string, string> stats = await worker.StatsAsync().WaitAsync(Timeout);
        return long.Parse(stats["link_joins"], CultureInfo.InvariantCulture);
    }
}
