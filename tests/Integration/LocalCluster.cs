using System.Globalization;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Published workers on free loopback ports and a published orchestrator over them, in that order on its command
/// line. A worker can be killed (kill -9) and restarted on its port. Disposing stops every process it started.
/// </summary>
public sealed class LocalCluster : IDisposable
{
    private readonly HostProcess?[] _workers;
    private readonly int[] _workerPorts;
    private HostProcess? _orchestrator;

    private LocalCluster(int workerCount)
    {
        _workers = new HostProcess?[workerCount];
        _workerPorts = new int[workerCount];
    }

    /// <summary>The orchestrator's port.</summary>
    public int Port { get; private set; }

    /// <summary>The orchestrator process.</summary>
    public HostProcess Orchestrator => _orchestrator ?? throw new InvalidOperationException("not started");

    /// <summary>Number of workers.</summary>
    public int WorkerCount => _workers.Length;

    /// <summary>The port of worker <paramref name="index"/> (kept across restarts).</summary>
    public int WorkerPort(int index) => _workerPorts[index];

    /// <summary>Starts <paramref name="workerCount"/> workers and an orchestrator over them.</summary>
    public static LocalCluster Start(int workerCount, params string[] orchestratorOptions) =>
        Start(workerCount, new Dictionary<string, string>(), orchestratorOptions);

    /// <summary>Starts <paramref name="workerCount"/> workers and an orchestrator over them with <paramref name="orchestratorEnvironment"/>.</summary>
    public static LocalCluster Start(int workerCount, IReadOnlyDictionary<string, string> orchestratorEnvironment,
        params string[] orchestratorOptions)
    {
        var cluster = new LocalCluster(workerCount);
        try
        {
            for (int i = 0; i < workerCount; i++)
            {
                cluster._workers[i] = HostProcess.StartWorker(out cluster._workerPorts[i]);
            }
            cluster._orchestrator = HostProcess.StartOrchestrator(orchestratorEnvironment, out int port, cluster._workerPorts,
                orchestratorOptions);
            cluster.Port = port;
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>A binary-protocol client of the orchestrator.</summary>
    public Task<EchoClient> ConnectAsync() => EchoClient.ConnectAsync("127.0.0.1", Port);

    /// <summary>A binary-protocol client of worker <paramref name="index"/> directly.</summary>
    public Task<EchoClient> ConnectToWorkerAsync(int index) => EchoClient.ConnectAsync("127.0.0.1", _workerPorts[index]);

    /// <summary>Kills worker <paramref name="index"/> at once (kill -9).</summary>
    public void KillWorker(int index) => _workers[index]?.Kill();

    /// <summary>Starts worker <paramref name="index"/> again, empty, on the same port (killing it first if it runs).</summary>
    public void RestartWorker(int index)
    {
        _workers[index]?.Dispose();
        _workers[index] = null;
        int port = _workerPorts[index];
        _workers[index] = HostProcess.Start("worker", port.ToString(CultureInfo.InvariantCulture));
        _workers[index]!.WaitForPort(port);
    }

    /// <summary>
    /// Stops worker <paramref name="index"/> without ending it (SIGSTOP): it answers nothing, like a partitioned
    /// worker, and keeps its data; <see cref="ResumeWorker"/> lets it run on as the same process.
    /// </summary>
    public void PauseWorker(int index) => Running(index).Pause();

    /// <summary>Waits until a paused worker has stopped (its requests from then on stay unanswered).</summary>
    public void WaitUntilStopped(int index) => Running(index).WaitUntilStopped();

    /// <summary>Lets a paused worker run on (SIGCONT).</summary>
    public void ResumeWorker(int index) => Running(index).Resume();

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a failure or a refill may take to show in INFO: generous, for a loaded machine.</summary>
    public static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The instance id worker <paramref name="index"/>'s process gives, asked directly (HEALTH).</summary>
    public Task<ulong> InstanceOfAsync(int index) => InstanceAtAsync(_workerPorts[index]);

    /// <summary>The instance id the worker listening on loopback <paramref name="port"/> gives, asked directly (HEALTH).</summary>
    public static async Task<ulong> InstanceAtAsync(int port)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout);
        await using EchoClient client = await EchoClient.ConnectAsync("127.0.0.1", port, timeout.Token);
        EchoReply health = await client.SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Health }, default, default, timeout.Token);
        Assert.True(health.IsOk, $"the worker on port {port} answered HEALTH with {health.Status}");
        Assert.True(BinaryHealth.TryRead(health.Value, out BinaryHealth answer), $"the worker on port {port}'s HEALTH reply is {health.Value.Length} bytes");
        return answer.InstanceId;
    }

    /// <summary>
    /// Waits until the orchestrator's INFO says worker <paramref name="index"/> is down (<see cref="StateTimeout"/> at
    /// most), and returns what INFO said of every worker.
    /// </summary>
    public Task<WorkerView[]> WaitForDownAsync(int index) =>
        OrchestratorInfo.WaitForWorkersAsync(Port, workers => workers[index].State == "down", StateTimeout,
            $"worker {index} to be down", () => Orchestrator.Output);

    /// <summary>
    /// Waits until the orchestrator's INFO says worker <paramref name="index"/> is up as the process running on its port
    /// now (its instance id, asked of the worker itself): after a restart, refilled; after a pause, serving again.
    /// Returns what INFO said of every worker.
    /// </summary>
    public async Task<WorkerView[]> WaitForUpAsync(int index)
    {
        ulong instance = await InstanceOfAsync(index);
        return await OrchestratorInfo.WaitForWorkersAsync(Port, workers => workers[index].IsUpAs(instance), StateTimeout,
            $"worker {index} to be up as instance {instance:x16}", () => Orchestrator.Output);
    }

    /// <summary>Waits until INFO says every worker is up (<see cref="OrchestratorInfo.WaitForAllUpAsync"/>).</summary>
    public Task WaitForAllUpAsync() => OrchestratorInfo.WaitForAllUpAsync(Port);

    public void Dispose()
    {
        _orchestrator?.Dispose();
        foreach (HostProcess? worker in _workers)
        {
            worker?.Dispose();
        }
    }

    private HostProcess Running(int index) =>
        _workers[index] ?? throw new InvalidOperationException($"worker {index} is not running");
}
