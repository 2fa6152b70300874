using System.Buffers;
using System.Globalization;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// INFO through the orchestrator: what <see cref="ClusterInfo"/> says of the orchestrator and its workers, then the
/// cluster's stats and keyspace, gathered from a STATS request to every worker that is up or being refilled (on its
/// control link, so it never waits behind data). Each worker's counters get a line of their own; the totals add
/// hits, misses, evictions, expired keys and memory over the workers, and the keyspace counts each key once: with one
/// pair (two workers) an up copy's items, with more the items of the up workers halved (every key lives on two),
/// exact while every worker is up. Last, the Copies section: what the background copy check has compared, found and
/// repaired (<see cref="CopyCheckStats"/>).
/// </summary>
internal sealed class InfoCall : IWorkerReplyTarget
{
    private static readonly string[] Counters = ["items", "hits", "misses", "evictions", "expirations", "memory_used", "memory_limit"];
    private static readonly byte[][] CounterKeys = [.. Counters.Select(Encoding.ASCII.GetBytes)];

    private readonly ClusterSession _session;
    private readonly long _sequence;
    private readonly bool _resp3;
    private readonly long[]?[] _stats; // per worker, the counters above; null for a worker not asked or failed
    private int _outstanding;

    public InfoCall(ClusterSession session, long sequence, bool resp3)
    {
        _session = session;
        _sequence = sequence;
        _resp3 = resp3;
        _stats = new long[]?[session.Cluster.Workers.Length];
    }

    public void Start()
    {
        _outstanding = 1; // held until every request is sent
        foreach (WorkerNode worker in _session.Cluster.Workers)
        {
            if (worker.State is not (WorkerState.Up or WorkerState.Syncing))
            {
                continue;
            }
            _stats[worker.Index] = new long[Counters.Length];
            Interlocked.Increment(ref _outstanding);
            WorkerLink? link = worker.ControlLink;
            if (link == null || !link.Send(new BinaryFrameHeader { Opcode = BinaryOpcode.Stats }, default, default, this, worker.Index))
            {
                _stats[worker.Index] = null;
                Interlocked.Decrement(ref _outstanding);
            }
        }
        Finish();
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        long[]? counters = _stats[token];
        if (frame.Header.Has(BinaryFrameFlags.More))
        {
            // One worker's frames arrive in order on its link's thread: no other thread writes its counters.
            for (int i = 0; counters != null && i < CounterKeys.Length; i++)
            {
                if (frame.Key.SequenceEqual(CounterKeys[i]) && Int64Text.TryParse(frame.Value, out long value))
                {
                    counters[i] = value;
                }
            }
            return;
        }
        Finish();
    }

    public void OnLinkFailed(long token)
    {
        _stats[token] = null;
        Finish();
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }
        // Room for what follows the description up front (about 550 characters and a line per worker): growing a
        // builder allocates a chunk as large as what it holds.
        string description = ClusterInfo.Describe(_session.Cluster);
        var builder = new StringBuilder(description.Length + 640 + (120 * _stats.Length)).Append(description);
        AppendStats(builder);
        AppendCopies(builder);
        // The bytes are formatted into the client's queue entry at once: pooled buffers will do.
        string whole = builder.ToString();
        byte[] text = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(whole.Length));
        int length = Encoding.UTF8.GetBytes(whole, text);
        byte[] reply = ArrayPool<byte>.Shared.Rent(length + 32);
        RespWriter.TryWriteText(text.AsSpan(0, length), _resp3 ? RespVersion.Resp3 : RespVersion.Resp2, reply, out int written);
        _session.Complete(_sequence, new ClusterReply(BinaryStatus.Ok, reply.AsSpan(0, written)));
        ArrayPool<byte>.Shared.Return(reply);
        ArrayPool<byte>.Shared.Return(text);
    }

    /// <summary>Appends the Stats and Keyspace sections, and each worker's counters.</summary>
    private void AppendStats(StringBuilder text)
    {
        var totals = new long[Counters.Length];
        var lines = new StringBuilder();
        long firstUpItems = -1, upItems = 0;
        foreach (WorkerNode worker in _session.Cluster.Workers)
        {
            long[]? counters = _stats[worker.Index];
            if (counters == null)
            {
                continue;
            }
            lines.Append(CultureInfo.InvariantCulture, $"worker{worker.Index}_stats:");
            for (int i = 0; i < Counters.Length; i++)
            {
                long value = counters[i];
                totals[i] += value;
                lines.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}{Counters[i]}={value}");
            }
            lines.Append("\r\n");
            if (worker.State == WorkerState.Up)
            {
                long items = counters[0];
                upItems += items;
                firstUpItems = firstUpItems < 0 ? items : firstUpItems;
            }
        }
        long keys = _session.Cluster.Map.PairCount == 1 ? Math.Max(firstUpItems, 0) : upItems / 2;
        text.Append("\r\n# Stats\r\n");
        Field(text, "rejected_connections", _session.Cluster.Clients.RejectedConnections);
        Field(text, "keyspace_hits", totals[1]);
        Field(text, "keyspace_misses", totals[2]);
        Field(text, "evicted_keys", totals[3]);
        Field(text, "expired_keys", totals[4]);
        Field(text, "used_memory", totals[5]);
        Field(text, "maxmemory", totals[6]);
        text.Append(lines);
        text.Append("\r\n# Keyspace\r\n");
        if (keys > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"db0:keys={keys},expires=0,avg_ttl=0\r\n");
        }
    }

    /// <summary>Appends the Copies section: what the background copy check has compared, found and repaired.</summary>
    private void AppendCopies(StringBuilder text)
    {
        Cluster cluster = _session.Cluster;
        CopyCheckStats copies = cluster.CopyChecks;
        text.Append("\r\n# Copies\r\n");
        Field(text, "copy_check_interval_ms", (long)cluster.Options.CopyCheckInterval.TotalMilliseconds);
        Field(text, "copy_check_rounds", copies.Rounds);
        Field(text, "copy_check_slots_checked", copies.SlotsChecked);
        Field(text, "copy_check_differences", copies.Differences);
        Field(text, "copy_check_items_repaired", copies.ItemsRepaired);
        Field(text, "copy_check_pairs_skipped", copies.PairsSkipped);
        Field(text, "copy_check_versions_ahead", copies.VersionsAhead);
        Field(text, "copy_check_last_round_ms", copies.LastRoundMs);
    }

    // Formatted into the builder (an interpolated append), not through a string per number.
    private static void Field(StringBuilder text, string name, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}:{value}\r\n");
}
