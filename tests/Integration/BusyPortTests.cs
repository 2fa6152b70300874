using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A port another process listens on is refused: a second worker or orchestrator on it exits with code 1 and says
/// which port, and the first serves on alone. A port whose old connections linger after a kill -9 (FIN_WAIT2,
/// TIME_WAIT) is not in use: a restarted worker binds it at once (net/Server/SocketServer.cs says why).
/// </summary>
public sealed class BusyPortTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("echo-port-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_second_worker_on_a_busy_port_exits_1_naming_the_port_and_the_first_serves_on()
    {
        using HostProcess first = HostProcess.StartWorker(out int port);
        using RespConnection held = RespConnection.Connect(port, Timeout);
        Assert.True(held.Call("SET", "before", "1").IsStatus("OK"));

        using HostProcess second = HostProcess.Start("worker", Text(port));
        // Sharing the port (SO_REUSEPORT) the second would listen and serve on, never exiting.
        Assert.True(second.WaitForExit(Timeout), $"the second worker still runs:\n{second.Output}");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"worker: cannot listen on 127.0.0.1:{port}: the port is in use by another process",
            second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", second.Output, StringComparison.Ordinal);

        Assert.False(first.HasExited);
        AssertServes(held, "before", "1");
        using RespConnection fresh = RespConnection.Connect(port, Timeout);
        AssertServes(fresh, "before", "1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // with the cluster secret, a second orchestrator that joined the workers would fence the first out
    public void A_second_orchestrator_on_a_busy_port_exits_1_before_touching_a_worker_and_the_first_serves_on(bool withSecret)
    {
        string[] secret = withSecret ? ["--cluster-secret-file", SecretFile()] : [];
        using HostProcess w0 = HostProcess.StartWorker(out int p0, secret);
        using HostProcess w1 = HostProcess.StartWorker(out int p1, secret);
        using HostProcess first = HostProcess.StartOrchestrator(out int port, [p0, p1], secret);
        using RespConnection held = RespConnection.Connect(port, Timeout);
        Assert.True(held.Call("SET", "before", "1").IsStatus("OK"));

        using HostProcess second = HostProcess.Start("orchestrator", [Text(port), "127.0.0.1", Text(p0), "127.0.0.1", Text(p1), .. secret]);
        Assert.True(second.WaitForExit(Timeout), $"the second orchestrator still runs:\n{second.Output}");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"orchestrator: cannot listen on 127.0.0.1:{port}: the port is in use by another process",
            second.StandardError, StringComparison.Ordinal);
        // That line is all it printed: it bound before starting its cluster, so it never connected to (or resynced)
        // a worker, which it would have logged.
        Assert.Single(second.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Assert.False(first.HasExited);
        AssertServes(held, "before", "1");
        using RespConnection fresh = RespConnection.Connect(port, Timeout);
        AssertServes(fresh, "before", "1");
    }

    [Fact]
    public void A_worker_killed_with_live_connections_restarts_on_its_port_at_once_and_serves()
    {
        int port;
        var clients = new List<RespConnection>();
        try
        {
            using (HostProcess killed = HostProcess.StartWorker(out port))
            {
                for (int i = 0; i < 4; i++)
                {
                    RespConnection client = RespConnection.Connect(port, Timeout);
                    clients.Add(client);
                    Assert.True(client.Call("SET", $"k{i}", "v").IsStatus("OK"));
                }
                killed.Kill(); // kill -9: its kernel closes the connections (a FIN each); our ends stay open
            }
            // Half of our ends close too: the worker's side of those goes from FIN_WAIT2 to TIME_WAIT.
            for (int i = 0; i < 2; i++)
            {
                clients[i].Dispose();
            }
            WaitForLingering(port, TcpState.FinWait2, TcpState.TimeWait);

            using HostProcess restarted = HostProcess.Start("worker", Text(port));
            restarted.WaitForPort(port); // fails at once if the worker exits (a refused bind exits with code 1)
            using RespConnection fresh = RespConnection.Connect(port, Timeout);
            AssertServes(fresh, "k0", null); // a restarted worker is empty
            restarted.WaitForOutput($"listening on 127.0.0.1:{port}");
        }
        finally
        {
            foreach (RespConnection client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>PING, a GET of <paramref name="key"/> (expected: <paramref name="value"/>, or nil), and a SET and GET of a key of its own.</summary>
    private static void AssertServes(RespConnection connection, string key, string? value)
    {
        Assert.True(connection.Call("PING").IsStatus("PONG"));
        RespReply read = connection.Call("GET", key);
        Assert.True(value is null ? read.IsNil : read.Text == value, $"GET {key} answered {read}");
        string own = $"{key}-{connection.LocalPort}";
        Assert.True(connection.Call("SET", own, "x").IsStatus("OK"));
        Assert.Equal("x", connection.Call("GET", own).Text);
    }

    private string SecretFile()
    {
        string path = Path.Combine(_directory, "secret");
        File.WriteAllText(path, "correct-horse-battery-staple\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h).</summary>
    private enum TcpState
    {
        FinWait2 = 5,
        TimeWait = 6,
        Listen = 10,
    }

    /// <summary>
    /// Waits until sockets on local port <paramref name="port"/> linger in each of <paramref name="states"/>, and
    /// none listens, so the restart that follows binds over them and not over a free port.
    /// </summary>
    private static void WaitForLingering(int port, params TcpState[] states)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        List<TcpState> found;
        while (true)
        {
            found = StatesOn(port);
            if (states.All(found.Contains) && !found.Contains(TcpState.Listen))
            {
                return;
            }
            Assert.True(waited.Elapsed < Timeout, $"port {port} holds [{string.Join(", ", found)}], not [{string.Join(", ", states)}]");
            Thread.Sleep(20);
        }
    }

    /// <summary>The states of the IPv4 TCP sockets whose local port is <paramref name="port"/>.</summary>
    private static List<TcpState> StatesOn(int port)
    {
        var states = new List<TcpState>();
        // "  sl  local_address rem_address   st ...": local "0100007F:0BB8", state "06", both in hex.
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int localPort = int.Parse(fields[1].AsSpan(fields[1].IndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (localPort == port)
            {
                states.Add((TcpState)int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        return states;
    }
}
