using System.Diagnostics;
using System.Globalization;
using System.Net;
using EchoCache.Net.Client;

namespace EchoCache.Load;

/// <summary>
/// The project's client library (<see cref="EchoClient"/>) as the load tool's client: what an application sees.
/// It allocates per request (a task, the frame's copy, the reply's arrays) and hops through the thread pool, so
/// it costs the tool more CPU than <see cref="FastTarget"/>; campaigns measure that cost with <c>--client echo</c>.
/// </summary>
internal sealed class EchoClientTarget : ILoadTarget
{
    private readonly EchoClient[] _clients;
    private readonly Workload _workload;
    private readonly int _capacity;
    private readonly List<Task> _loops = [];
    private FastRandom _scheduleRandom = new(0xC0FFEE);
    private PhaseControl? _control;
    private int _next;
    private long _inFlight;
    private volatile Exception? _failure;

    private EchoClientTarget(EchoClient[] clients, Workload workload, int capacity)
    {
        _clients = clients;
        _workload = workload;
        _capacity = capacity;
    }

    public static async Task<EchoClientTarget> ConnectAsync(IPEndPoint endPoint, Workload workload, int connections, int capacity,
        CancellationToken cancellationToken)
    {
        var clients = new EchoClient[connections];
        try
        {
            for (int i = 0; i < connections; i++)
            {
                clients[i] = await EchoClient.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (EchoClient? client in clients) client?.Dispose();
            throw;
        }
        return new EchoClientTarget(clients, workload, capacity);
    }

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"the client library (net/Client/EchoClient), {_clients.Length} connections");

    public long InFlight => Interlocked.Read(ref _inFlight);

    public Exception? Failure => _failure;

    public void StartClosedLoop(PhaseControl control, int depth)
    {
        _control = control;
        _loops.RemoveAll(task => task.IsCompleted);
        ulong seed = 1;
        foreach (EchoClient client in _clients)
        {
            for (int i = 0; i < depth; i++)
            {
                _loops.Add(LoopAsync(client, control, seed++ * 0x9E3779B97F4A7C15UL));
            }
        }
    }

    private async Task LoopAsync(EchoClient client, PhaseControl control, ulong seed)
    {
        await Task.Yield();
        var random = new FastRandom(seed);
        while (_failure == null)
        {
            int key;
            bool isGet;
            if (control.Preload)
            {
                key = control.NextPreloadKey();
                isGet = false;
                if (key < 0) return;
            }
            else
            {
                if (!control.TryTakeRequest()) return;
                key = _workload.Choose(ref random, out isGet);
            }
            long sent = Stopwatch.GetTimestamp();
            await OneAsync(client, control, key, isGet, sent, sent).ConfigureAwait(false);
        }
    }

    public void BeginOpenLoop(PhaseControl control) => _control = control;

    public bool TrySchedule(long intended, long now)
    {
        PhaseControl? control = _control;
        if (control == null || _failure != null || Interlocked.Read(ref _inFlight) >= _capacity || !control.TryTakeRequest())
        {
            return false;
        }
        int key = _workload.Choose(ref _scheduleRandom, out bool isGet);
        EchoClient client = _clients[_next];
        _next = _next + 1 == _clients.Length ? 0 : _next + 1;
        _ = OneAsync(client, control, key, isGet, intended, now);
        return true;
    }

    public void FlushScheduled()
    {
        // The client library sends each request as it is issued.
    }

    private async Task OneAsync(EchoClient client, PhaseControl control, int key, bool isGet, long intended, long sent)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            byte[] keyBytes = _workload.Keys[key];
            EchoReply reply = isGet
                ? await client.GetAsync(keyBytes).ConfigureAwait(false)
                : await client.SetAsync(keyBytes, _workload.Value).ConfigureAwait(false);
            control.Recorder.Record(intended, sent, Stopwatch.GetTimestamp(), reply.Status);
        }
        catch (EchoClientException e)
        {
            _failure ??= e;
            control.Recorder.RecordFailure();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (EchoClient client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Loops still waiting on a closed client end on their own.
        }
    }
}
