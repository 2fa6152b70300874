using System.Diagnostics;
using System.Globalization;
using EchoCache.Net.Client;

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

    /// <summary>Lets a paused worker run on (SIGCONT).</summary>
    public void ResumeWorker(int index) => Running(index).Resume();

    /// <summary>How many lines of the orchestrator's log say worker <paramref name="index"/> went to <paramref name="state"/> ("down", "Up" …).</summary>
    public int StateChanges(int index, string state) =>
        Count(Orchestrator.Output, $"worker {index} (127.0.0.1:{_workerPorts[index]}) is {state}");

    /// <summary>Waits (polling, <paramref name="timeout"/> at most) until the orchestrator has logged <paramref name="count"/> changes of worker <paramref name="index"/> to <paramref name="state"/>.</summary>
    public async Task WaitForStateAsync(int index, string state, int count, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        while (StateChanges(index, state) < count)
        {
            Assert.True(elapsed.Elapsed < timeout,
                $"worker {index} was not '{state}' {count} times within {timeout.TotalSeconds:F0} s:\n{Orchestrator.Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>How many times the orchestrator has logged a completed resync.</summary>
    public int ResyncsCompleted => Count(Orchestrator.Output, "resync complete");

    /// <summary>Waits (polling, <paramref name="timeout"/> at most) until the orchestrator has logged <paramref name="count"/> completed resyncs.</summary>
    public async Task WaitForResyncsAsync(int count, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        while (ResyncsCompleted < count)
        {
            Assert.True(elapsed.Elapsed < timeout,
                $"only {ResyncsCompleted} of {count} resyncs completed within {timeout.TotalSeconds:F0} s:\n{Orchestrator.Output}");
            await Task.Delay(20);
        }
    }

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

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
