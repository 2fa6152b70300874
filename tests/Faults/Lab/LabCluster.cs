using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EchoCache.Faults.Clients;

namespace EchoCache.Faults.Lab;

/// <summary>
/// An orchestrator and its workers, each a real executable in a host of its own on a <see cref="NetworkLab"/>,
/// sharing a cluster secret made for the run, the orchestrator behind a password. Knows each process's command line,
/// so a killed one starts again exactly as before, and reads the orchestrator's INFO to wait on the cluster's state.
/// </summary>
internal sealed class LabCluster : IDisposable
{
    public const int WorkerPort = 7000;
    public const int OrchestratorPort = 8000;

    private readonly NetworkLab _network;
    private readonly List<LabProcess> _workers = [];

    public LabCluster(NetworkLab network, string binaries, string folder, int workers, IReadOnlyList<string> orchestratorOptions)
    {
        _network = network;
        string secret = SecretFile = Path.Combine(folder, "cluster.secret");
        File.WriteAllText(secret, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var orchestratorArguments = new List<string> { OrchestratorPort.ToString(CultureInfo.InvariantCulture) };
        for (int i = 0; i < workers; i++)
        {
            LabHost host = network.AddHost($"w{i}");
            _workers.Add(new LabProcess($"worker{i}", host, Path.Combine(binaries, "worker"),
                [WorkerPort.ToString(CultureInfo.InvariantCulture), "--bind", host.Address, "--cluster-secret-file", secret],
                Path.Combine(folder, $"worker{i}.log")));
            orchestratorArguments.Add(host.Address);
            orchestratorArguments.Add(WorkerPort.ToString(CultureInfo.InvariantCulture));
        }
        LabHost front = network.AddHost("orch");
        orchestratorArguments.AddRange(["--bind", front.Address, "--cluster-secret-file", secret, "--requirepass", Password]);
        orchestratorArguments.AddRange(orchestratorOptions);
        Orchestrator = new LabProcess("orchestrator", front, Path.Combine(binaries, "orchestrator"), orchestratorArguments,
            Path.Combine(folder, "orchestrator.log"));
    }

    public LabProcess Orchestrator { get; }

    public IReadOnlyList<LabProcess> Workers => _workers;

    public string Password { get; }

    /// <summary>The cluster secret's file.</summary>
    public string SecretFile { get; }

    /// <summary>Where clients connect.</summary>
    public TrafficOptions Traffic(TimeSpan timeout) => new(Orchestrator.Host.Address, OrchestratorPort, Password, timeout);

    /// <summary>Starts every worker, then the orchestrator, and waits until every worker is up.</summary>
    public void Start(TimeSpan timeout)
    {
        foreach (LabProcess worker in _workers)
        {
            worker.Start();
        }
        foreach (LabProcess worker in _workers)
        {
            WaitForListener(worker, WorkerPort, timeout);
        }
        Orchestrator.Start();
        WaitForListener(Orchestrator, OrchestratorPort, timeout);
        if (!WaitUntil(info => info.AllUp, timeout, out _))
        {
            throw new TimeoutException($"the cluster was not up within {timeout.TotalSeconds} s (see orchestrator.log)");
        }
    }

    /// <summary>The orchestrator's INFO, or null when it does not answer within a second.</summary>
    public ClusterState? ReadState()
    {
        try
        {
            using RespLink link = RespLink.Connect(Orchestrator.Host.Address, OrchestratorPort, Password, TimeSpan.FromSeconds(1));
            RespAnswer info = link.Call("INFO");
            return info.Type == '$' && info.Text is { } text ? ClusterState.Parse(text) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>Polls INFO until <paramref name="condition"/> holds; false when <paramref name="timeout"/> passes first.</summary>
    public bool WaitUntil(Func<ClusterState, bool> condition, TimeSpan timeout, out ClusterState? last)
    {
        var clock = Stopwatch.StartNew();
        last = null;
        while (clock.Elapsed < timeout)
        {
            ClusterState? state = ReadState();
            if (state is not null)
            {
                last = state;
                if (condition(state))
                {
                    return true;
                }
            }
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>Waits until <paramref name="process"/> accepts connections on <paramref name="port"/> (and still runs).</summary>
    public static void WaitForListener(LabProcess process, int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (!process.IsRunning)
            {
                throw new InvalidOperationException($"{process.Name} exited at start (see {Path.GetFileName(process.LogFile)})");
            }
            try
            {
                using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                socket.ConnectAsync(process.Host.Address, port, cancel.Token).AsTask().GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                Thread.Sleep(20);
            }
        }
        throw new TimeoutException($"{process.Name} did not listen on {process.Host.Address}:{port} within {timeout.TotalSeconds} s");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Orchestrator.Dispose();
        foreach (LabProcess worker in _workers)
        {
            worker.Dispose();
        }
        _ = _network;
    }
}
