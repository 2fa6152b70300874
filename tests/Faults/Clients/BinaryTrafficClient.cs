using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EchoCache.Faults.Linearizability;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Faults.Clients;

/// <summary>
/// A campaign client on the binary protocol (<see cref="EchoClient"/>): GET, SET, DELETE (whether it existed
/// recorded), INCR and TOUCH (an expiry far beyond the campaign) on the round's hot keys, and SETs of write-once keys.
/// A status that says the cluster could not serve the request (UNAVAILABLE, BUSY, SERVER_ERROR) is an unknown
/// outcome; so is a timeout or a broken connection, after which the client reconnects.
/// </summary>
internal sealed class BinaryTrafficClient(Traffic traffic, int id, Random random)
{
    private static readonly TimeSpan LongLife = TimeSpan.FromHours(1);
    private EchoClient? _client;
    private long _written;

    public async Task RunAsync()
    {
        try
        {
            while (!traffic.Stopping.IsCancellationRequested)
            {
                traffic.Keys.AtRest(id);
                long call = Traffic.Now();
                try
                {
                    _client ??= await ConnectAsync().ConfigureAwait(false);
                    await IssueAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is EchoClientException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    traffic.Lost(call);
                    if (_client is not null)
                    {
                        await _client.DisposeAsync().ConfigureAwait(false);
                        _client = null;
                    }
                    traffic.Stopping.WaitHandle.WaitOne(Traffic.Backoff);
                }
            }
        }
        finally
        {
            if (_client is not null)
            {
                await _client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<EchoClient> ConnectAsync()
    {
        using var timeout = new CancellationTokenSource(traffic.Options.Timeout);
        return await EchoClient.ConnectAsync(traffic.Options.Host, traffic.Options.Port,
            new EchoClientOptions { Password = traffic.Options.Password }, timeout.Token).ConfigureAwait(false);
    }

    private async Task IssueAsync()
    {
        EchoClient c = _client!;
        HistoryRecorder h = traffic.History;
        (string key, _) = traffic.Keys.HotKey(random);
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        string text = string.Create(CultureInfo.InvariantCulture, $"b{id}-{_written++}");
        using var timeout = new CancellationTokenSource(traffic.Options.Timeout);
        CancellationToken t = timeout.Token;
        int roll = random.Next(100);
        switch (roll)
        {
            case < 35:
                using (PendingOperation op = h.BeginGet(id, key))
                {
                    EchoReply r = await c.GetAsync(keyBytes, t).ConfigureAwait(false);
                    Answer(op, r, r.Status is BinaryStatus.Ok or BinaryStatus.NotFound,
                        () => op.Read(r.Status == BinaryStatus.Ok ? Encoding.UTF8.GetString(r.Value) : null));
                }
                break;
            case < 52:
                string value = roll % 2 == 0 ? text : random.Next(-5, 100).ToString(CultureInfo.InvariantCulture);
                using (PendingOperation op = h.BeginSet(id, key, value))
                {
                    EchoReply r = await c.SetAsync(keyBytes, Encoding.UTF8.GetBytes(value), cancellationToken: t).ConfigureAwait(false);
                    Answer(op, r, r.Status == BinaryStatus.Ok, op.Acknowledged);
                }
                break;
            case < 58:
                using (PendingOperation op = h.BeginCountedDelete(id, key))
                {
                    EchoReply r = await c.DeleteAsync(keyBytes, 0, t).ConfigureAwait(false);
                    Answer(op, r, r.Status is BinaryStatus.Ok or BinaryStatus.NotFound, () => op.Deleted(r.Status == BinaryStatus.Ok ? 1 : 0));
                }
                break;
            case < 68:
                using (PendingOperation op = h.BeginIncrement(id, key, 1))
                {
                    EchoReply r = await c.IncrementAsync(keyBytes, 1, t).ConfigureAwait(false);
                    if (r.Status is BinaryStatus.NotANumber or BinaryStatus.Overflow)
                    {
                        Served(op, op.Rejected);
                    }
                    else
                    {
                        Answer(op, r, r.Status == BinaryStatus.Ok && r.Value.Length == 8,
                            () => op.Incremented(BinaryPrimitives.ReadInt64LittleEndian(r.Value)));
                    }
                }
                break;
            case < 74:
                using (PendingOperation op = h.BeginExpire(id, key, (long)LongLife.TotalSeconds))
                {
                    EchoReply r = await c.TouchAsync(keyBytes, LongLife, t).ConfigureAwait(false);
                    Answer(op, r, r.Status is BinaryStatus.Ok or BinaryStatus.NotFound, () => op.Existed(r.Status == BinaryStatus.Ok));
                }
                break;
            default:
                string once = KeyPlan.OnceKey(id, _written);
                long call = Traffic.Now();
                EchoReply set = await c.SetAsync(Encoding.UTF8.GetBytes(once), Encoding.UTF8.GetBytes(text), cancellationToken: t).ConfigureAwait(false);
                if (set.Status == BinaryStatus.Ok)
                {
                    traffic.Ledger.Add(once, text, call, Traffic.Now());
                    traffic.Answered(call, served: true);
                }
                else
                {
                    Refused(call, "SET (write-once)", set.Status);
                }
                break;
        }
    }

    private void Answer(PendingOperation op, EchoReply reply, bool fits, Action record)
    {
        if (fits)
        {
            Served(op, record);
        }
        else
        {
            // "No live replica holds this key": refused before it was sent to any copy, so it took no effect.
            if (reply.Status == BinaryStatus.Unavailable && reply.Value.AsSpan().SequenceEqual("no live replica holds this key"u8))
            {
                op.Refused();
            }
            else
            {
                op.Unavailable();
            }
            Refused(op.Call, op.Kind.ToString(), reply.Status);
        }
    }

    private void Served(PendingOperation op, Action record)
    {
        record();
        traffic.Answered(op.Call, served: true);
    }

    private void Refused(long call, string command, BinaryStatus status)
    {
        traffic.Answered(call, served: false);
        traffic.Stopping.WaitHandle.WaitOne(Traffic.Backoff); // as a client would: retry a while later
        if (status is not (BinaryStatus.Unavailable or BinaryStatus.Busy or BinaryStatus.ServerError))
        {
            traffic.Unexpected.Enqueue($"client {id}: {command} answered {status}");
        }
    }
}
