using System.Buffers;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A TCP relay on a free loopback port in front of a worker, standing for the network between the orchestrator and
/// that worker, which it can cut as a partition does (the fault campaign cuts it with nftables in network
/// namespaces, as root; this needs neither). <see cref="Partition"/>: each open connection holds whatever it receives
/// from then on, both ways, as packets dropped on the wire; a new connection is reset. <see cref="Heal"/>: new
/// connections pass again. The connections cut off stay held until <see cref="DeliverHeldAsync"/>, which does what
/// the sender's TCP does once a partition heals: it retransmits what was never acknowledged, then its FIN — unless the
/// sender reset the connection meanwhile, which drops it.
/// </summary>
internal sealed class PartitionProxy : IDisposable
{
    private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Relay> _relays = [];
    private bool _partitioned;

    private PartitionProxy(int target)
    {
        _target = target;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>The port to give the orchestrator instead of the worker's.</summary>
    public int Port { get; }

    /// <summary>Starts a relay to the worker listening on loopback port <paramref name="target"/>.</summary>
    public static PartitionProxy Start(int target) => new(target);

    /// <summary>Cuts the network: open connections hold what they receive from now on, both ways; new ones are reset.</summary>
    public void Partition()
    {
        using (_lock.EnterScope())
        {
            _partitioned = true;
            foreach (Relay relay in _relays.Where(r => !r.OrchestratorClosed.Task.IsCompleted))
            {
                relay.Cut();
            }
        }
    }

    /// <summary>Heals the network for new connections; the connections cut off stay held.</summary>
    public void Heal()
    {
        using (_lock.EnterScope())
        {
            _partitioned = false;
        }
    }

    /// <summary>
    /// For each connection cut off by <see cref="Partition"/>, once its orchestrator end has closed it (waiting
    /// <paramref name="timeout"/> at most): the requests the orchestrator sent during the cut go to the worker, then
    /// the end of the stream — if the orchestrator closed it with a FIN; if it reset it, the worker's end is reset and
    /// gets nothing. A PING goes after the requests delivered, and its answer is awaited: the worker runs a
    /// connection's requests in order, so by then it has run them all. Returns the bytes held and the requests
    /// delivered.
    /// </summary>
    public async Task<(long Held, int Delivered)> DeliverHeldAsync(TimeSpan timeout)
    {
        Relay[] cut;
        using (_lock.EnterScope())
        {
            cut = [.. _relays.Where(r => r.IsHeld)];
        }
        using var limit = new CancellationTokenSource(timeout);
        long held = 0;
        int delivered = 0;
        foreach (Relay relay in cut)
        {
            bool reset = await WaitAsync(relay.OrchestratorClosed.Task, limit.Token, "the orchestrator to close a connection cut off");
            byte[] bytes = relay.TakeHeld();
            held += bytes.Length;
            if (reset)
            {
                Abort(relay.Worker);
                continue;
            }
            int requests = CountRequests(bytes);
            var probe = new byte[BinaryProtocol.HeaderSize];
            BinaryCodec.TryWriteRequest(new BinaryFrameHeader { Opcode = BinaryOpcode.Ping, RequestId = ProbeId }, default, default, probe, out _);
            relay.StartProbe();
            try
            {
                await relay.Worker.SendAsync(bytes.Concat(probe).ToArray(), SocketFlags.None, limit.Token);
            }
            catch (SocketException)
            {
                continue; // the worker closed its end first: nothing can reach it on this connection
            }
            await WaitAsync(relay.ProbeAnswered.Task, limit.Token, "the worker to answer a PING behind the requests delivered");
            relay.Worker.Shutdown(SocketShutdown.Send);
            delivered += requests;
        }
        return (held, delivered);
    }

    private const ulong ProbeId = ulong.MaxValue;

    /// <summary>The request frames in <paramref name="bytes"/>, which must be whole frames (as the orchestrator writes them).</summary>
    private static int CountRequests(ReadOnlySpan<byte> bytes)
    {
        int count = 0;
        while (!bytes.IsEmpty)
        {
            OperationStatus status = BinaryCodec.TryParseRequest(bytes, out _, out int consumed);
            if (status != OperationStatus.Done)
            {
                throw new InvalidOperationException($"the held bytes are not whole request frames ({status} after {count} frames)");
            }
            bytes = bytes[consumed..];
            count++;
        }
        return count;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        using (_lock.EnterScope())
        {
            foreach (Relay relay in _relays)
            {
                relay.Orchestrator.Dispose();
                relay.Worker.Dispose();
            }
        }
        _stop.Dispose();
    }

    private static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken limit, string what)
    {
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket orchestrator;
            try
            {
                orchestrator = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            bool partitioned;
            using (_lock.EnterScope())
            {
                partitioned = _partitioned;
            }
            if (partitioned)
            {
                Abort(orchestrator); // the connection attempt fails at once (a dropped SYN would make it wait)
                continue;
            }
            var worker = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            orchestrator.NoDelay = true;
            try
            {
                await worker.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                worker.Dispose();
                Abort(orchestrator);
                continue;
            }
            var relay = new Relay(orchestrator, worker);
            using (_lock.EnterScope())
            {
                _relays.Add(relay);
            }
            _ = Task.Run(() => ToWorkerAsync(relay));
            _ = Task.Run(() => ToOrchestratorAsync(relay));
        }
    }

    /// <summary>Orchestrator to worker: forwarded, or held once cut; the orchestrator's close is passed on unless held.</summary>
    private async Task ToWorkerAsync(Relay relay)
    {
        var buffer = new byte[64 * 1024];
        bool reset = false;
        try
        {
            while (true)
            {
                int read = await relay.Orchestrator.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }
                if (!relay.Hold(buffer.AsSpan(0, read)))
                {
                    await relay.Worker.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            reset = true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            return;
        }
        if (!relay.IsHeld)
        {
            try
            {
                if (reset)
                {
                    Abort(relay.Worker);
                }
                else
                {
                    relay.Worker.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The worker's end is gone already.
            }
        }
        relay.OrchestratorClosed.TrySetResult(reset);
    }

    /// <summary>Worker to orchestrator: forwarded, or dropped once cut.</summary>
    private async Task ToOrchestratorAsync(Relay relay)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await relay.Worker.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }
                if (!relay.IsHeld)
                {
                    await relay.Orchestrator.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                }
                else
                {
                    relay.Answered(buffer.AsSpan(0, read)); // dropped, but a probe's answer is looked for
                }
            }
            if (!relay.IsHeld)
            {
                relay.Orchestrator.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Reset, or the proxy is closing.
        }
        relay.ProbeAnswered.TrySetException(new IOException("the worker closed the connection before it answered the probe"));
    }

    /// <summary>Closes a socket with a reset: whatever it had not sent is dropped.</summary>
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed already.
        }
        socket.Dispose();
    }

    /// <summary>One relayed connection: the orchestrator's end, the worker's end, and what it holds once cut.</summary>
    private sealed class Relay(Socket orchestrator, Socket worker)
    {
        private readonly Lock _lock = new();
        private readonly MemoryStream _held = new();
        private bool _isHeld;

        public Socket Orchestrator { get; } = orchestrator;

        public Socket Worker { get; } = worker;

        /// <summary>Completed when the orchestrator's end has closed: true when it reset the connection, false for a FIN.</summary>
        public TaskCompletionSource<bool> OrchestratorClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completed when the worker has answered the PING sent behind the requests delivered.</summary>
        public TaskCompletionSource<bool> ProbeAnswered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private MemoryStream? _answers;

        /// <summary>From now on the worker's answers on this connection are parsed, looking for the probe's.</summary>
        public void StartProbe()
        {
            using (_lock.EnterScope())
            {
                _answers = new MemoryStream();
            }
        }

        /// <summary>Bytes the worker sent on a cut connection: once probing, completes <see cref="ProbeAnswered"/> at the probe's answer.</summary>
        public void Answered(ReadOnlySpan<byte> bytes)
        {
            using (_lock.EnterScope())
            {
                if (_answers == null)
                {
                    return;
                }
                _answers.Write(bytes);
                ReadOnlySpan<byte> unread = _answers.GetBuffer().AsSpan(0, (int)_answers.Length);
                int parsed = 0;
                while (BinaryCodec.TryParseReply(unread[parsed..], out BinaryFrame frame, out int length) == OperationStatus.Done)
                {
                    parsed += length;
                    if (frame.Opcode == BinaryOpcode.Ping && frame.RequestId == ProbeId)
                    {
                        ProbeAnswered.TrySetResult(true);
                    }
                }
                byte[] rest = unread[parsed..].ToArray();
                _answers.SetLength(0);
                _answers.Write(rest);
            }
        }

        public bool IsHeld
        {
            get
            {
                using (_lock.EnterScope())
                {
                    return _isHeld;
                }
            }
        }

        /// <summary>Holds everything received from now on.</summary>
        public void Cut()
        {
            using (_lock.EnterScope())
            {
                _isHeld = true;
            }
        }

        /// <summary>Keeps <paramref name="bytes"/> when the connection is cut (true); false when they should pass.</summary>
        public bool Hold(ReadOnlySpan<byte> bytes)
        {
            using (_lock.EnterScope())
            {
                if (!_isHeld)
                {
                    return false;
                }
                _held.Write(bytes);
                return true;
            }
        }

        public byte[] TakeHeld()
        {
            using (_lock.EnterScope())
            {
                byte[] bytes = _held.ToArray();
                _held.SetLength(0);
                return bytes;
            }
        }
    }
}
