using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace EchoCache.Load;

/// <summary>The tool's own pipelined connections (<see cref="PipelinedConnection"/>): the default, cheapest client.</summary>
internal sealed class FastTarget : ILoadTarget
{
    private readonly PipelinedConnection[] _connections;
    private int _next;

    private FastTarget(PipelinedConnection[] connections) => _connections = connections;

    public static async Task<FastTarget> ConnectAsync(IPEndPoint endPoint, Workload workload, int connections, int capacity,
        CancellationToken cancellationToken)
    {
        var opened = new PipelinedConnection[connections];
        try
        {
            for (int i = 0; i < connections; i++)
            {
                opened[i] = await PipelinedConnection.ConnectAsync(endPoint, workload, capacity, (ulong)(i + 1) * 0x9E3779B97F4A7C15UL,
                    cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (PipelinedConnection? connection in opened) connection?.Dispose();
            throw;
        }
        return new FastTarget(opened);
    }

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"the load tool's own pipelined binary client (no allocation per request), {_connections.Length} connections");

    public long InFlight
    {
        get
        {
            long total = 0;
            foreach (PipelinedConnection connection in _connections) total += connection.InFlight;
            return total;
        }
    }

    public Exception? Failure
    {
        get
        {
            foreach (PipelinedConnection connection in _connections)
            {
                if (connection.Failure is { } failure) return failure;
            }
            return null;
        }
    }

    public void StartClosedLoop(PhaseControl control, int depth)
    {
        long now = Stopwatch.GetTimestamp();
        foreach (PipelinedConnection connection in _connections)
        {
            connection.Control = control;
        }
        foreach (PipelinedConnection connection in _connections)
        {
            connection.Enqueue(depth, now);
            connection.Flush();
        }
    }

    public void BeginOpenLoop(PhaseControl control)
    {
        foreach (PipelinedConnection connection in _connections)
        {
            connection.Control = control;
        }
    }

    public bool TrySchedule(long intended, long now)
    {
        // Every request due at one wake-up goes to the same connection (one send for them all); the next wake-up
        // takes the next connection. A full connection passes its turn on.
        for (int tries = 0; tries < _connections.Length; tries++)
        {
            if (_connections[_next].TryEnqueue(intended, now))
            {
                return true;
            }
            _next = _next + 1 == _connections.Length ? 0 : _next + 1;
        }
        return false;
    }

    public void FlushScheduled()
    {
        foreach (PipelinedConnection connection in _connections)
        {
            connection.Flush();
        }
        _next = _next + 1 == _connections.Length ? 0 : _next + 1;
    }

    public ValueTask DisposeAsync()
    {
        foreach (PipelinedConnection connection in _connections)
        {
            connection.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
