using System.Collections.Concurrent;
using System.Diagnostics;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Faults.Clients;

/// <summary>
/// The campaign's clients, half on RESP (<see cref="RespTrafficClient"/>) and half on the binary protocol
/// (<see cref="BinaryTrafficClient"/>), each on a thread of its own, one request at a time, from the start until
/// <see cref="StopAsync"/>. Every request on a hot key is recorded in the <see cref="HistoryRecorder"/>; every
/// write-once key acknowledged goes in the <see cref="WriteOnceLedger"/>; every request's outcome in the
/// <see cref="OutcomeTimeline"/>.
/// </summary>
internal sealed class Traffic
{
    /// <summary>How long a client waits after a request the cluster could not serve before its next one.</summary>
    public static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(200);

    private readonly List<Thread> _threads = [];
    private readonly CancellationTokenSource _stop = new();
    private long _ok;
    private long _failed;
    private long _unknown;

    public Traffic(TrafficOptions options, KeyPlan keys, HistoryRecorder history, WriteOnceLedger ledger, OutcomeTimeline timeline)
    {
        Options = options;
        Keys = keys;
        History = history;
        Ledger = ledger;
        Timeline = timeline;
    }

    public TrafficOptions Options { get; }

    public KeyPlan Keys { get; }

    public HistoryRecorder History { get; }

    public WriteOnceLedger Ledger { get; }

    public OutcomeTimeline Timeline { get; }

    /// <summary>Answers no command can give, with the command: the campaign fails on any.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Requests answered (whatever the answer said).</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>Requests answered "unavailable" (refused, or outcome unknown).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Requests that timed out or whose connection broke: outcome unknown.</summary>
    public long Unknown => Interlocked.Read(ref _unknown);

    public CancellationToken Stopping => _stop.Token;

    /// <summary>Starts <paramref name="clients"/> clients (ids 0 …), alternating protocols.</summary>
    public void Start(int clients, int seed)
    {
        for (int c = 0; c < clients; c++)
        {
            int id = c;
            var random = new Random(seed * 1000 + id);
            var thread = new Thread(() =>
            {
                if (id % 2 == 0)
                {
                    new RespTrafficClient(this, id, random).Run();
                }
                else
                {
                    new BinaryTrafficClient(this, id, random).RunAsync().GetAwaiter().GetResult();
                }
            })
            { IsBackground = true, Name = $"client {id}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>Stops every client after its current request and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }

    /// <summary>A request invoked at <paramref name="call"/> was answered: <paramref name="served"/> says whether it was served.</summary>
    public void Answered(long call, bool served)
    {
        if (served)
        {
            Interlocked.Increment(ref _ok);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
        Timeline.Record(call, served);
    }

    /// <summary>A request invoked at <paramref name="call"/> timed out, or its connection broke.</summary>
    public void Lost(long call)
    {
        Interlocked.Increment(ref _unknown);
        Timeline.Record(call, false);
    }

    /// <summary>The clock every record uses.</summary>
    public static long Now() => Stopwatch.GetTimestamp();
}
