using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Server;

namespace EchoCache.Tests.Net;

/// <summary>
/// An event loop handles an urgent socket (an orchestrator's link to a worker) ahead of a backlog: when the events
/// queued in the kernel fill a batch, the urgent one is handled within that batch, not after everything that became
/// ready before it (EventLoop's class comment says why: a worker's health answer behind ten thousand disconnects).
/// </summary>
public sealed class UrgentSocketTests
{
    private const int Ordinary = 600; // more than two of the loop's batches of 256
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void An_urgent_socket_that_became_ready_last_is_handled_within_the_first_batch_of_a_backlog()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(Ordinary + 1);
        var clients = new List<Socket>();
        var served = new List<Socket>();
        using var loop = new EventLoop("urgent test loop");
        try
        {
            for (int i = 0; i <= Ordinary; i++)
            {
                var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
                client.Connect(listener.LocalEndPoint!);
                clients.Add(client);
                served.Add(listener.Accept());
            }
            var readable = new List<int>(); // the order sockets were reported readable in, by index (loop thread)
            var recorders = served.Select((_, i) => new Recorder(i, readable)).ToArray();
            int urgent = Ordinary; // the last one

            // Register them all on the loop's thread, and let their first edges (writable) go by.
            RunOnLoop(loop, () =>
            {
                for (int i = 0; i <= Ordinary; i++)
                {
                    loop.Register(served[i], recorders[i], urgent: i == urgent);
                }
            });
            RunOnLoop(loop, () => { }); // a turn after the first edges were handled
            RunOnLoop(loop, () => readable.Clear());

            // Hold the loop while every ordinary socket becomes readable, in order, and the urgent one last: the kernel
            // queues their events in that order.
            using var entered = new ManualResetEventSlim();
            using var gate = new ManualResetEventSlim();
            loop.Schedule(new Callback(() =>
            {
                entered.Set();
                gate.Wait(Deadline);
            }));
            Assert.True(entered.Wait(Deadline), "the loop did not take the callback that holds it");
            foreach (Socket client in clients)
            {
                client.Send([1]);
            }
            gate.Set();
            RunOnLoop(loop, () => { });
            var waited = Stopwatch.StartNew();
            while (Snapshot(loop, readable).Count < Ordinary + 1)
            {
                Assert.True(waited.Elapsed < Deadline, "not every socket was reported readable");
                Thread.Sleep(5);
            }

            List<int> order = Snapshot(loop, readable);
            int at = order.IndexOf(urgent);
            // Within the first batch of 256 ordinary events (the poll of the urgent set follows a full wait); without
            // it, the urgent socket would come after all 600.
            Assert.InRange(at, 0, 256);
            Assert.Equal(Ordinary + 1, order.Distinct().Count());
        }
        finally
        {
            foreach (Socket socket in clients.Concat(served))
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> on the loop's thread and waits for it.</summary>
    private static void RunOnLoop(EventLoop loop, Action action)
    {
        using var done = new ManualResetEventSlim();
        loop.Schedule(new Callback(() =>
        {
            action();
            done.Set();
        }));
        Assert.True(done.Wait(Deadline), "the loop did not run the callback");
    }

    /// <summary>A copy of what the loop recorded, taken on its thread.</summary>
    private static List<int> Snapshot(EventLoop loop, List<int> readable)
    {
        List<int> copy = [];
        RunOnLoop(loop, () => copy = [.. readable]);
        return copy;
    }

    /// <summary>Records when its socket is reported readable (never reads: edge-triggered, it is reported once).</summary>
    private sealed class Recorder(int index, List<int> readable) : ILoopSocket
    {
        public void OnEvents(uint events)
        {
            if ((events & 0x001) != 0 && !readable.Contains(index)) // EPOLLIN
            {
                readable.Add(index);
            }
        }

        public void OnScheduled()
        {
        }

        public void OnIdleCheck()
        {
        }

        public void OnFault(Exception exception) => throw exception;
    }

    /// <summary>Scheduled work on the loop, with no socket behind it.</summary>
    private sealed class Callback(Action action) : ILoopSocket
    {
        public void OnEvents(uint events)
        {
        }

        public void OnScheduled() => action();

        public void OnIdleCheck()
        {
        }

        public void OnFault(Exception exception)
        {
        }
    }
}
