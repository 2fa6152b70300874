using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Clients sending a mix of plain and read-modify-write string commands over RESP (<see cref="RespConnection"/>,
/// one request at a time each) to the orchestrator, every request recorded in a <see cref="HistoryRecorder"/>
/// with what it answered: SET, GET, SET NX, GETSET, APPEND, INCR, INCRBYFLOAT, DEL (its count recorded), GETDEL,
/// and RENAME within a hash-tagged pair. Sets reset values (to text, an integer or a float), so appends and
/// increments keep them short and every command meets values it accepts and values it refuses.
/// </summary>
/// <remarks>
/// How an answer is recorded: the reply the command gives — a value, a count, a length, +OK, nil — is a known
/// outcome; so is a refusal that says the command changed nothing because of what the key held (INCR of a
/// non-integer, INCRBYFLOAT of a non-float, RENAME of a missing key). An answer that says the cluster could not
/// serve it (UNAVAILABLE, BUSY, "could not apply") is an unknown outcome (<see cref="PendingOperation.Unavailable"/>),
/// and so is a timeout or a broken connection (the client reconnects). Any other answer — an error the command
/// cannot give, a reply of the wrong type — is recorded as unknown too, and listed in <see cref="Unexpected"/>
/// for the test to fail on: a cluster that refuses a command does not get to pass a linearizability check by
/// answering nothing.
/// </remarks>
internal sealed class DecidedTraffic
{
    private static readonly string[] Suffixes = ["x", "7", ".5"];
    private static readonly string[] FloatDeltas = ["0.5", "-1.25", "0.1", "3"];

    private readonly int _port;
    private readonly HistoryRecorder _recorder;
    private readonly string[] _tags;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private readonly ConcurrentDictionary<OperationKind, int> _answered = new();
    private int _unavailable;
    private int _broken;

    /// <summary>Traffic to the orchestrator on <paramref name="port"/> over the keys <c>{tag}:a</c> and <c>{tag}:b</c> of each of <paramref name="tags"/>.</summary>
    public DecidedTraffic(int port, HistoryRecorder recorder, IReadOnlyList<string> tags, TimeSpan timeout)
    {
        _port = port;
        _recorder = recorder;
        _tags = [.. tags];
        _timeout = timeout;
        Keys = [.. _tags.SelectMany(tag => new[] { $"{tag}:a", $"{tag}:b" })];
    }

    /// <summary>Every key the clients use.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Answers no command can give (and the command): the cluster refused or garbled something it must serve.</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Requests answered "unavailable", "busy" or "could not apply": outcome unknown.</summary>
    public int Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>Requests that timed out or whose connection broke: outcome unknown, and maybe still on their way.</summary>
    public int Broken => Volatile.Read(ref _broken);

    /// <summary>Requests answered with a known outcome, per kind.</summary>
    public IReadOnlyDictionary<OperationKind, int> Answered => _answered;

    /// <summary>Starts <paramref name="clients"/> clients, each on a thread of its own (client ids 0 … clients-1).</summary>
    public void Start(int clients)
    {
        for (int c = 0; c < clients; c++)
        {
            int client = c;
            _clients.Add(Task.Factory.StartNew(() => Run(client), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }
    }

    /// <summary>Stops every client after its current request and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    /// <summary>
    /// One GET of every key, recorded as client <paramref name="client"/>, on a connection of its own: the values
    /// read (null: missing). Fails the test if one is not answered.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ReadEveryKey(int client)
    {
        using RespConnection connection = RespConnection.Connect(_port, _timeout);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string key in Keys)
        {
            RespReply reply = Get(client, connection, key);
            Assert.True(reply.Type == '$', $"GET {key} answered {reply}");
            values[key] = reply.Text;
        }
        return values;
    }

    private void Run(int client)
    {
        var random = new Random(1000 + client);
        RespConnection? connection = null;
        int written = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    connection ??= RespConnection.Connect(_port, _timeout);
                    Issue(client, connection, random, ref written);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // The request in flight, if any, was disposed open: recorded as failed, outcome unknown.
                    Interlocked.Increment(ref _broken);
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private void Issue(int client, RespConnection c, Random random, ref int written)
    {
        string tag = _tags[random.Next(_tags.Length)];
        bool first = random.Next(2) == 0;
        string key = $"{tag}:{(first ? "a" : "b")}";
        string text = $"c{client}-{written++}";
        int roll = random.Next(100);
        switch (roll)
        {
            case < 25:
                Get(client, c, key);
                break;
            case < 37:
                string value = (roll % 3) switch
                {
                    0 => text,
                    1 => random.Next(-5, 100).ToString(CultureInfo.InvariantCulture),
                    _ => $"{random.Next(0, 10)}.{random.Next(1, 10)}",
                };
                using (PendingOperation op = _recorder.BeginSet(client, key, value))
                {
                    RespReply reply = c.Call("SET", key, value);
                    if (reply.IsStatus("OK")) Known(op.Kind, op.Acknowledged);
                    else Other(op, reply);
                }
                break;
            case < 45:
                using (PendingOperation op = _recorder.BeginSetIfAbsent(client, key, text))
                {
                    RespReply reply = c.Call("SET", key, text, "NX");
                    if (reply.IsStatus("OK")) Known(op.Kind, () => op.Stored(true));
                    else if (reply.Type == '$' && reply.IsNil) Known(op.Kind, () => op.Stored(false));
                    else Other(op, reply);
                }
                break;
            case < 52:
                using (PendingOperation op = _recorder.BeginGetSet(client, key, text))
                {
                    RespReply reply = c.Call("GETSET", key, text);
                    if (reply.Type == '$') Known(op.Kind, () => op.Read(reply.Text));
                    else Other(op, reply);
                }
                break;
            case < 60:
                string suffix = Suffixes[random.Next(Suffixes.Length)];
                using (PendingOperation op = _recorder.BeginAppend(client, key, suffix))
                {
                    RespReply reply = c.Call("APPEND", key, suffix);
                    if (reply.Type == ':') Known(op.Kind, () => op.Appended(reply.Integer));
                    else Other(op, reply);
                }
                break;
            case < 67:
                using (PendingOperation op = _recorder.BeginIncrement(client, key, 1))
                {
                    RespReply reply = c.Call("INCR", key);
                    if (reply.Type == ':') Known(op.Kind, () => op.Incremented(reply.Integer));
                    else if (IsRefusal(reply, "ERR value is not an integer", "ERR increment or decrement would overflow")) Known(op.Kind, op.Rejected);
                    else Other(op, reply);
                }
                break;
            case < 74:
                string delta = FloatDeltas[random.Next(FloatDeltas.Length)];
                using (PendingOperation op = _recorder.BeginIncrementByFloat(client, key, delta))
                {
                    RespReply reply = c.Call("INCRBYFLOAT", key, delta);
                    if (reply.Type == '$' && reply.Text is { Length: > 0 }) Known(op.Kind, () => op.IncrementedTo(reply.Text));
                    else if (IsRefusal(reply, "ERR value is not a valid float", "ERR increment would produce NaN or Infinity")) Known(op.Kind, op.Rejected);
                    else Other(op, reply);
                }
                break;
            case < 81:
                using (PendingOperation op = _recorder.BeginCountedDelete(client, key))
                {
                    RespReply reply = c.Call("DEL", key);
                    if (reply.Type == ':' && reply.Integer is 0 or 1) Known(op.Kind, () => op.Deleted(reply.Integer));
                    else Other(op, reply);
                }
                break;
            case < 87:
                using (PendingOperation op = _recorder.BeginGetDelete(client, key))
                {
                    RespReply reply = c.Call("GETDEL", key);
                    if (reply.Type == '$') Known(op.Kind, () => op.Read(reply.Text));
                    else Other(op, reply);
                }
                break;
            default:
                string destination = $"{tag}:{(first ? "b" : "a")}";
                using (PendingOperation op = _recorder.BeginRename(client, key, destination))
                {
                    RespReply reply = c.Call("RENAME", key, destination);
                    if (reply.IsStatus("OK")) Known(op.Kind, op.Renamed);
                    else if (IsRefusal(reply, "ERR no such key")) Known(op.Kind, op.Rejected);
                    else Other(op, reply);
                }
                break;
        }
    }

    private RespReply Get(int client, RespConnection c, string key)
    {
        using PendingOperation op = _recorder.BeginGet(client, key);
        RespReply reply = c.Call("GET", key);
        if (reply.Type == '$') Known(op.Kind, () => op.Read(reply.Text));
        else Other(op, reply);
        return reply;
    }

    private void Known(OperationKind kind, Action record)
    {
        record();
        _answered.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    private static bool IsRefusal(RespReply reply, params string[] prefixes) =>
        reply.IsError && prefixes.Any(p => reply.Text!.StartsWith(p, StringComparison.Ordinal));

    /// <summary>An answer that is not the command's: "cannot serve now" is an unknown outcome; anything else is unexpected as well.</summary>
    private void Other(PendingOperation op, RespReply reply)
    {
        if (IsRefusal(reply, "UNAVAILABLE", "BUSY", "ERR the cluster could not apply"))
        {
            Interlocked.Increment(ref _unavailable);
        }
        else
        {
            Unexpected.Enqueue($"{op.Kind} of \"{op.Key}\"{(op.Input is null ? "" : $" ({op.Input})")} answered {reply}");
        }
        op.Unavailable();
    }
}
