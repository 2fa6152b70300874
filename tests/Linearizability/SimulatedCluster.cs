using EchoCache.Faults.Linearizability;

namespace EchoCache.Tests.Linearizability;

/// <summary>
/// A deterministic discrete-event simulation of clients against a two-copy register store, recorded through
/// the real <see cref="HistoryRecorder"/> on the simulation's clock. No threads: one seed, one history.
/// </summary>
/// <remarks>
/// A write reaches the primary after a random delay (its effect there is its linearization point), is copied
/// to the secondary later, in the primary's order, and is acknowledged after that. A get reads the primary —
/// linearizable — or, with <see cref="SimulationOptions.ReadEitherReplica"/>, either copy: while a write is
/// in flight one client can read the new value from the primary and a later client the old one from the
/// secondary, the classic anomaly. Failures: a lost request is never applied; a lost reply is applied, maybe
/// after the client gave up; an "unavailable" answer comes back fast with nothing applied.
/// </remarks>
internal sealed class SimulatedCluster
{
    /// <summary>
    /// Every write of unknown outcome takes effect within this many ticks of its invocation, or never: the
    /// simulation's guarantee, for <see cref="LinearizabilityOptions.UnknownOutcomeHorizon"/>.
    /// </summary>
    public const int UnknownOutcomeHorizon = (2 * Timeout) + 1;

    private const int Timeout = 200;

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly HistoryRecorder _recorder;
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _events = new();
    private readonly Dictionary<string, string?> _primary = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _secondary = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _replicationTail = new(StringComparer.Ordinal);
    private long _now;
    private long _sequence;
    private int _issued;
    private int _written;

    private SimulatedCluster(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _recorder = new HistoryRecorder(() => _now);
    }

    private enum Fate
    {
        Ok,
        LostRequest,
        LostReply,
        Unavailable,
    }

    /// <summary>Runs the simulation to the end and returns what the clients saw.</summary>
    public static History Run(SimulationOptions options)
    {
        var cluster = new SimulatedCluster(options);
        for (int client = 0; client < options.Clients; client++)
        {
            int c = client;
            cluster.At(cluster._random.Next(5), () => cluster.Issue(c));
        }
        while (cluster._events.TryDequeue(out Action? action, out (long Time, long Sequence) when))
        {
            cluster._now = when.Time;
            action();
        }
        return cluster._recorder.ToHistory();
    }

    private void At(long time, Action action) => _events.Enqueue(action, (time, _sequence++));

    /// <summary>A moment 1 to 20 ticks from now.</summary>
    private long Soon() => _now + 1 + _random.Next(20);

    private void Issue(int client)
    {
        if (_issued == _options.Operations)
        {
            return;
        }
        _issued++;
        if (_options.DecidedWrites)
        {
            IssueDecided(client);
            return;
        }
        bool counter = _options.Increments && _random.Next(4) == 0;
        string key = counter ? "n" : $"k{_random.Next(_options.Keys)}";
        int roll = _random.Next(100);
        if (counter ? roll < 50 : roll < 45)
        {
            Get(client, key);
        }
        else
        {
            OperationKind kind = counter ? OperationKind.Increment : roll < 90 ? OperationKind.Set : OperationKind.Delete;
            Write(client, key, kind);
        }
    }

    private void Get(int client, string key)
    {
        PendingOperation op = _recorder.BeginGet(client, key);
        bool fromSecondary = _options.ReadEitherReplica && _random.Next(2) == 1;
        bool fails = _random.NextDouble() < _options.FailureRate;
        At(Soon(), () =>
        {
            string? value = (fromSecondary ? _secondary : _primary).GetValueOrDefault(key);
            At(Soon(), () =>
            {
                if (fails)
                {
                    op.Failed();
                }
                else
                {
                    op.Read(value);
                }
                Next(client);
            });
        });
    }

    private void Write(int client, string key, OperationKind kind)
    {
        PendingOperation op = kind switch
        {
            OperationKind.Set => _recorder.BeginSet(client, key, $"c{client}.{_written++}"),
            OperationKind.Delete => _recorder.BeginDelete(client, key),
            _ => _recorder.BeginIncrement(client, key, 1),
        };
        Fate fate = _random.NextDouble() >= _options.FailureRate ? Fate.Ok : (Fate)(1 + _random.Next(3));

        if (fate is Fate.Unavailable or Fate.LostRequest)
        {
            At(fate == Fate.Unavailable ? Soon() : _now + Timeout, () =>
            {
                if (fate == Fate.Unavailable)
                {
                    op.Unavailable();
                }
                else
                {
                    op.Failed();
                }
                Next(client);
            });
            return;
        }
        if (fate == Fate.LostReply)
        {
            // The client gives up; the write goes on, perhaps landing after that.
            At(_now + Timeout, () =>
            {
                op.Failed();
                Next(client);
            });
        }

        long reachesPrimary = fate == Fate.LostReply ? _now + 1 + _random.Next(2 * Timeout) : Soon();
        At(reachesPrimary, () =>
        {
            string? before = _primary.GetValueOrDefault(key);
            string? after = kind switch
            {
                OperationKind.Set => op.Input,
                OperationKind.Delete => null,
                _ => (long.Parse(before ?? "0", System.Globalization.CultureInfo.InvariantCulture) + 1)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            _primary[key] = after;

            // Copies reach the secondary in the primary's order.
            long reachesSecondary = Math.Max(_now + 1 + _random.Next(_options.ReplicationLag), _replicationTail.GetValueOrDefault(key));
            _replicationTail[key] = reachesSecondary;
            At(reachesSecondary, () =>
            {
                _secondary[key] = after;
                if (fate != Fate.Ok)
                {
                    return;
                }
                At(Soon(), () =>
                {
                    switch (kind)
                    {
                        case OperationKind.Increment:
                            op.Incremented(long.Parse(after!, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                        default:
                            op.Acknowledged();
                            break;
                    }
                    Next(client);
                });
            });
        });
    }

    /// <summary>One command of any kind on a key of a hash-tagged pair, weighted so that sets keep values short.</summary>
    private void IssueDecided(int client)
    {
        string group = $"{{g{_random.Next(_options.Keys)}}}";
        bool first = _random.Next(2) == 0;
        string key = group + (first ? ":a" : ":b");
        int roll = _random.Next(100);
        if (roll < 35)
        {
            Get(client, key);
            return;
        }
        PendingOperation op = roll switch
        {
            < 47 => _recorder.BeginSet(client, key, $"c{client}.{_written++}"),
            < 55 => _recorder.BeginSetIfAbsent(client, key, $"c{client}.{_written++}"),
            < 62 => _recorder.BeginGetSet(client, key, $"c{client}.{_written++}"),
            < 70 => _recorder.BeginAppend(client, key, "x"),
            < 75 => _recorder.BeginIncrement(client, key, 1),
            < 81 => _recorder.BeginIncrementByFloat(client, key, _random.Next(2) == 0 ? "0.5" : "-1.25"),
            < 86 => _recorder.BeginGetDelete(client, key),
            < 92 => _recorder.BeginCountedDelete(client, key),
            _ => _recorder.BeginRename(client, key, group + (first ? ":b" : ":a")),
        };
        Fate fate = _random.NextDouble() >= _options.FailureRate ? Fate.Ok : (Fate)(1 + _random.Next(3));
        if (fate is Fate.Unavailable or Fate.LostRequest)
        {
            At(fate == Fate.Unavailable ? Soon() : _now + Timeout, () =>
            {
                op.Failed();
                Next(client);
            });
            return;
        }
        if (fate == Fate.LostReply)
        {
            At(_now + Timeout, () =>
            {
                op.Failed();
                Next(client);
            });
        }

        long decided = fate == Fate.LostReply ? _now + 1 + _random.Next(2 * Timeout) : Soon();
        At(decided, () =>
        {
            Dictionary<string, string?> source = _options.DecideOnEitherReplica && _random.Next(2) == 1 ? _secondary : _primary;
            (string? answer, List<(string Key, string? Value)> changes) = Decide(op, source);
            long copied = _now;
            foreach ((string changed, string? value) in changes)
            {
                _primary[changed] = value;
                long reachesSecondary = Math.Max(_now + 1 + _random.Next(_options.ReplicationLag), _replicationTail.GetValueOrDefault(changed));
                _replicationTail[changed] = reachesSecondary;
                copied = Math.Max(copied, reachesSecondary);
                At(reachesSecondary, () => _secondary[changed] = value);
            }
            if (fate != Fate.Ok)
            {
                return;
            }
            // Acknowledged once every copy is written: one tick after the last one.
            At(copied + 1 + _random.Next(20), () =>
            {
                Complete(op, answer);
                Next(client);
            });
        });
    }

    /// <summary>What a command answers from <paramref name="store"/>, and the values it leaves (null: deleted).</summary>
    private static (string? Answer, List<(string Key, string? Value)> Changes) Decide(PendingOperation op, Dictionary<string, string?> store)
    {
        string key = op.Key;
        string? before = store.GetValueOrDefault(key);
        string input = op.Input ?? "";
        switch (op.Kind)
        {
            case OperationKind.Set:
                return (null, [(key, input)]);
            case OperationKind.SetIfAbsent:
                return before is null ? ("1", [(key, input)]) : ("0", []);
            case OperationKind.GetSet:
                return (before, [(key, input)]);
            case OperationKind.Append:
                string appended = before + input;
                return (appended.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), [(key, appended)]);
            case OperationKind.Increment:
                if (!long.TryParse(before ?? "0", System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long n)
                    || (before is not null && before != n.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                {
                    return (Operation.Rejected, []);
                }
                string next = (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return (next, [(key, next)]);
            case OperationKind.IncrementByFloat:
                return RedisFloat.TryIncrement(before, input, out string sum) ? (sum, [(key, sum)]) : (Operation.Rejected, []);
            case OperationKind.GetDelete:
                return (before, [(key, null)]);
            case OperationKind.CountedDelete:
                return (before is null ? "0" : "1", [(key, null)]);
            default:
                return before is null ? (Operation.Rejected, []) : (Operation.Renamed, [(input, before), (key, null)]);
        }
    }

    private static void Complete(PendingOperation op, string? answer)
    {
        switch (op.Kind)
        {
            case OperationKind.Set:
                op.Acknowledged();
                break;
            case OperationKind.SetIfAbsent:
                op.Stored(answer == "1");
                break;
            case OperationKind.GetSet or OperationKind.GetDelete:
                op.Read(answer);
                break;
            case OperationKind.Append:
                op.Appended(long.Parse(answer!, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case OperationKind.CountedDelete:
                op.Deleted(answer == "1" ? 1 : 0);
                break;
            case OperationKind.Increment when answer != Operation.Rejected:
                op.Incremented(long.Parse(answer!, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case OperationKind.IncrementByFloat when answer != Operation.Rejected:
                op.IncrementedTo(answer!);
                break;
            case OperationKind.Rename when answer == Operation.Renamed:
                op.Renamed();
                break;
            default:
                op.Rejected();
                break;
        }
    }

    private void Next(int client) => At(_now + _random.Next(10), () => Issue(client));
}
