using System.Globalization;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Faults.Clients;

/// <summary>
/// A campaign client on RESP: GET, SET, DEL (its count recorded), INCR, EXPIRE, and the decided writes SET NX,
/// GETSET, APPEND, GETDEL and RENAME on the round's hot keys, and SETs of write-once keys.
/// </summary>
/// <remarks>
/// A reply is a known outcome when it is one the command gives — a value, a count, OK, nil, or a refusal that says
/// the command changed nothing because of what the key held (INCR of a non-integer, RENAME of a missing key). An
/// error saying the cluster could not serve it ("unavailable", BUSY, CLUSTERDOWN) is an unknown outcome, and so is a
/// timeout or a broken connection (the client reconnects). Any other reply is unknown too, and listed in
/// <see cref="Traffic.Unexpected"/>: the campaign fails on it.
/// </remarks>
internal sealed class RespTrafficClient(Traffic traffic, int id, Random random)
{
    private const string LongLife = "3600";
    private RespLink? _link;
    private long _written;

    public void Run()
    {
        try
        {
            while (!traffic.Stopping.IsCancellationRequested)
            {
                traffic.Keys.AtRest(id);
                long call = Traffic.Now();
                try
                {
                    _link ??= RespLink.Connect(traffic.Options.Host, traffic.Options.Port, traffic.Options.Password, traffic.Options.Timeout);
                    Issue();
                }
                catch (IOException)
                {
                    // The request in flight, if any, was disposed open: recorded as failed, outcome unknown.
                    traffic.Lost(call);
                    _link?.Dispose();
                    _link = null;
                    traffic.Stopping.WaitHandle.WaitOne(Traffic.Backoff);
                }
            }
        }
        finally
        {
            _link?.Dispose();
        }
    }

    private void Issue()
    {
        RespLink c = _link!;
        HistoryRecorder h = traffic.History;
        (string key, string partner) = traffic.Keys.HotKey(random);
        string text = string.Create(CultureInfo.InvariantCulture, $"c{id}-{_written++}");
        int roll = random.Next(100);
        switch (roll)
        {
            case < 28:
                using (PendingOperation op = h.BeginGet(id, key))
                {
                    Answer(op, c.Call("GET", key), a => a.IsBulk, a => op.Read(a.Text));
                }
                break;
            case < 40:
                string value = (roll % 3) switch
                {
                    0 => text,
                    1 => random.Next(-5, 100).ToString(CultureInfo.InvariantCulture),
                    _ => $"{random.Next(0, 10)}.{random.Next(1, 10)}",
                };
                using (PendingOperation op = h.BeginSet(id, key, value))
                {
                    Answer(op, c.Call("SET", key, value), a => a.IsStatus("OK"), _ => op.Acknowledged());
                }
                break;
            case < 45:
                using (PendingOperation op = h.BeginCountedDelete(id, key))
                {
                    Answer(op, c.Call("DEL", key), a => a.IsInteger, a => op.Deleted(a.Integer));
                }
                break;
            case < 53:
                using (PendingOperation op = h.BeginIncrement(id, key, 1))
                {
                    RespAnswer a = c.Call("INCR", key);
                    if (a.IsError && a.Text!.StartsWith("ERR value is not an integer", StringComparison.Ordinal))
                    {
                        Served(op, op.Rejected);
                    }
                    else
                    {
                        Answer(op, a, x => x.IsInteger, x => op.Incremented(x.Integer));
                    }
                }
                break;
            case < 57:
                using (PendingOperation op = h.BeginExpire(id, key, 3600))
                {
                    Answer(op, c.Call("EXPIRE", key, LongLife), a => a.IsInteger, a => op.Existed(a.Integer == 1));
                }
                break;
            case < 61:
                using (PendingOperation op = h.BeginSetIfAbsent(id, key, text))
                {
                    Answer(op, c.Call("SET", key, text, "NX"), a => a.IsStatus("OK") || a.IsBulk, a => op.Stored(a.Type == '+'));
                }
                break;
            case < 65:
                using (PendingOperation op = h.BeginGetSet(id, key, text))
                {
                    Answer(op, c.Call("GETSET", key, text), a => a.IsBulk, a => op.Read(a.Text));
                }
                break;
            case < 69:
                using (PendingOperation op = h.BeginAppend(id, key, "+"))
                {
                    Answer(op, c.Call("APPEND", key, "+"), a => a.IsInteger, a => op.Appended(a.Integer));
                }
                break;
            case < 72:
                using (PendingOperation op = h.BeginGetDelete(id, key))
                {
                    Answer(op, c.Call("GETDEL", key), a => a.IsBulk, a => op.Read(a.Text));
                }
                break;
            case < 75:
                using (PendingOperation op = h.BeginRename(id, key, partner))
                {
                    RespAnswer a = c.Call("RENAME", key, partner);
                    if (a.IsError && a.Text == "ERR no such key")
                    {
                        Served(op, op.Rejected);
                    }
                    else
                    {
                        Answer(op, a, x => x.IsStatus("OK"), _ => op.Renamed());
                    }
                }
                break;
            default:
                string once = KeyPlan.OnceKey(id, _written);
                long call = Traffic.Now();
                RespAnswer set = c.Call("SET", once, text);
                if (set.IsStatus("OK"))
                {
                    traffic.Ledger.Add(once, text, call, Traffic.Now());
                    traffic.Answered(call, served: true);
                }
                else
                {
                    Refused(call, "SET (write-once)", set);
                }
                break;
        }
    }

    /// <summary>Records <paramref name="answer"/> as <paramref name="op"/>'s outcome: known when <paramref name="fits"/>, unknown otherwise.</summary>
    private void Answer(PendingOperation op, RespAnswer answer, Func<RespAnswer, bool> fits, Action<RespAnswer> record)
    {
        if (fits(answer))
        {
            Served(op, () => record(answer));
        }
        else
        {
            if (answer.IsRefusedUnsent)
            {
                op.Refused();
            }
            else
            {
                op.Unavailable();
            }
            Refused(op.Call, op.Kind.ToString(), answer);
        }
    }

    private void Served(PendingOperation op, Action record)
    {
        record();
        traffic.Answered(op.Call, served: true);
    }

    private void Refused(long call, string command, RespAnswer answer)
    {
        traffic.Answered(call, served: false);
        traffic.Stopping.WaitHandle.WaitOne(Traffic.Backoff); // as a client would: retry a while later
        if (!answer.IsUnavailable)
        {
            traffic.Unexpected.Enqueue($"client {id}: {command} answered {answer}");
        }
    }
}
