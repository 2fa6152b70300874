namespace EchoCache.Tests.Integration;

/// <summary>
/// A server that clients talk to for a test: a lone worker, or an orchestrator over two workers, started with the
/// given options (a password, protected mode, a bind address); the workers under an orchestrator get none of them.
/// Disposing stops every process it started.
/// </summary>
internal sealed class PasswordServer : IDisposable
{
    private readonly HostProcess? _worker;
    private readonly LocalCluster? _cluster;

    private PasswordServer(HostProcess? worker, LocalCluster? cluster, int port)
    {
        _worker = worker;
        _cluster = cluster;
        Port = port;
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>The process clients talk to (the worker, or the orchestrator).</summary>
    public HostProcess Process => _worker ?? _cluster!.Orchestrator;

    /// <summary>Starts <paramref name="kind"/> ("worker" or "orchestrator") with <paramref name="options"/>.</summary>
    public static PasswordServer Start(string kind, params string[] options) => Start(kind, new Dictionary<string, string>(), options);

    /// <summary>Starts <paramref name="kind"/> with <paramref name="options"/> and <paramref name="environment"/>.</summary>
    public static PasswordServer Start(string kind, IReadOnlyDictionary<string, string> environment, params string[] options)
    {
        if (kind == "worker")
        {
            HostProcess worker = HostProcess.StartWorker(environment, out int port, options);
            return new PasswordServer(worker, null, port);
        }
        Assert.Equal("orchestrator", kind);
        LocalCluster cluster = LocalCluster.Start(2, environment, options);
        return new PasswordServer(null, cluster, cluster.Port);
    }

    public void Dispose()
    {
        _worker?.Dispose();
        _cluster?.Dispose();
    }
}
