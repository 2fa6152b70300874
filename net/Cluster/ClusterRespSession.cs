using System.Buffers;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Net.Cluster;

/// <summary>
/// RESP on the orchestrator's port: every command of the one command table (<see cref="CommandTable"/>), served as
/// its route says (<see cref="ClusterRoute"/>). Connection commands, and the errors for a wrong argument count or an
/// unknown command, come from a worker's own handlers (<see cref="RespSession.ForConnection"/>); keyed commands go to
/// the keys' replica pair as reads, plain replicated writes or decided writes, their replies as a worker wrote them;
/// keyspace commands cover every pair; FLUSHDB and FLUSHALL are a barrier; INFO and CONFIG GET are the
/// orchestrator's own. GET and plain SET, the hot path, skip the table and travel as binary frames. Until the client
/// has authenticated (when a password is set), every request goes to the worker's handlers, which keep the
/// connection's authentication and answer NOAUTH to all but AUTH, HELLO, PING and QUIT.
/// </summary>
public sealed class ClusterRespSession : ClusterSession
{
    private const int MaxStackSlots = 64;
    private readonly RespParser _parser = new();
    private readonly RespSession _connection;
    private readonly ConnectedClient _client;
    private readonly OutputBuffer _local = new(1024, 64 * 1024);
    // _connection.IsAuthenticated, copied after each request it ran before it was true (nothing else changes it, and
    // it never turns false): the hot path's check is then one field read.
    private bool _authenticated;

    /// <summary>Creates a session over <paramref name="cluster"/>, its clients admitted by <paramref name="access"/>.</summary>
    public ClusterRespSession(Cluster cluster, AccessControl? access = null)
        : base(cluster)
    {
        _connection = RespSession.ForConnection(cluster.Clients, access);
        _client = _connection.Client;
        _authenticated = _connection.IsAuthenticated;
        _parser.RequireAuthentication = !_authenticated;
    }

    private bool Resp3 => _connection.Version == RespVersion.Resp3;

    /// <inheritdoc />
    public override void Attach(IDuplexChannel channel)
    {
        base.Attach(channel);
        _connection.Attach(channel); // the orchestrator's CLIENT LIST shows its clients (never its links to workers)
    }

    /// <inheritdoc />
    public override void OnClosed()
    {
        base.OnClosed();
        _connection.OnClosed();
    }

    /// <inheritdoc />
    public override int Process(ReadOnlySpan<byte> input)
    {
        _client.LastInteractionMs = Environment.TickCount64; // idle= counts from the last read, as Redis's
        int total = 0;
        while (HasRoom && !CloseRequested)
        {
            OperationStatus status = _parser.TryParse(input[total..], out RespRequest request, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }
            if (status != OperationStatus.Done)
            {
                Span<byte> error = stackalloc byte[256];
                RespWriter.TryWriteProtocolError(_parser.Error, error, out int written);
                Literal(error[..written]);
                CloseRequested = true;
                return input.Length;
            }
            ReadOnlySpan<byte> raw = input.Slice(total, consumed);
            total += consumed;
            if (!request.IsEmpty)
            {
                Execute(request, raw);
            }
        }
        return total;
    }

    private void Execute(in RespRequest request, ReadOnlySpan<byte> raw)
    {
        if (!_authenticated)
        {
            Local(request); // NOAUTH, or AUTH, HELLO, PING and QUIT themselves (and unknown-command and arity errors)
            _authenticated = _connection.IsAuthenticated;
            _parser.RequireAuthentication = !_authenticated;
            return;
        }
        int count = request.Count;
        ReadOnlySpan<byte> name = request[0];
        // The hot path skips the table: GET and SET key value as binary frames (RESP2; RESP3's null differs).
        if (name.Length == 3 && (name[1] | 0x20) == 'e' && (name[2] | 0x20) == 't' && KeyFits(request, 1))
        {
            if ((name[0] | 0x20) == 'g' && count == 2 && !Resp3)
            {
                _client.LastCommand = CommandTable.GetCommand;
                StartRead(Reserve(RespReplyKind.Bulk), request[1], new BinaryFrameHeader { Opcode = BinaryOpcode.Get });
                return;
            }
            if ((name[0] | 0x20) == 's' && count == 3)
            {
                _client.LastCommand = CommandTable.SetCommand;
                StartWrite(Reserve(RespReplyKind.Ok), request[1], request[2], new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet });
                return;
            }
        }
        CommandInfo? command = CommandTable.Find(name);
        if (command is null || !command.AcceptsCount(count))
        {
            Local(request); // the worker's unknown-command or arity error
            return;
        }
        if (command.Subcommands.Length != 0 && count > 1)
        {
            CommandInfo? sub = command.FindSubcommand(request[1]);
            if (sub is null || !sub.AcceptsCount(count))
            {
                Local(request);
                return;
            }
            command = sub;
        }
        if (command.Route != ClusterRoute.Local)
        {
            Cluster.Clients.CountCommand(); // a local command is counted by the session that runs it
        }
        _client.LastCommand = command;
        switch (command.Route)
        {
            case ClusterRoute.Local:
                Local(request);
                break;
            case ClusterRoute.Server when command.Id == CommandId.Info:
                new InfoCall(this, Reserve(RespReplyKind.Literal), Resp3).Start();
                break;
            case ClusterRoute.Server:
                ConfigGet(request);
                break;
            case ClusterRoute.Keyspace:
                Keyspace(command, request, raw);
                break;
            case ClusterRoute.Flush:
                Flush(request);
                break;
            default:
                Keyed(command, request, raw);
                break;
        }
    }

    /// <summary>A connection command, or an error a worker would write, run by the worker's own handlers.</summary>
    private void Local(in RespRequest request)
    {
        _connection.RunLocal(request, _local);
        Literal(_local.Bytes.AsSpan(0, _local.Written));
        _local.MarkSent(_local.Written);
        if (_connection.CloseRequested)
        {
            CloseRequested = true; // QUIT
        }
    }

    /// <summary>
    /// A command on keys: to the keys' pair when they share one (as a read, a plain write or a decided write), split
    /// into one call per key when they do not and the command allows it, CROSSSLOT otherwise.
    /// </summary>
    private void Keyed(CommandInfo command, in RespRequest request, ReadOnlySpan<byte> raw)
    {
        int end = command.KeyEnd(request.Count);
        int keys = (end - command.FirstKey + command.Step - 1) / command.Step;
        int[]? rented = keys > MaxStackSlots ? ArrayPool<int>.Shared.Rent(keys) : null;
        Span<int> slots = rented ?? stackalloc int[MaxStackSlots];
        try
        {
            int n = 0;
            for (int i = command.FirstKey; i < end; i += command.Step)
            {
                slots[n++] = KeySlot.Of(request[i]);
            }
            slots = Distinct(slots[..n]);
            if (!OnePairOneLink(slots))
            {
                if (command.SplitsPerKey)
                {
                    SplitPerKey(command, request);
                }
                else
                {
                    Error("CROSSSLOT Keys in request don't hash to the same slot");
                }
                return;
            }
            if (command.Route == ClusterRoute.Read)
            {
                StartCommand(Reserve(RespReplyKind.Literal), raw, slots, decided: false, Resp3);
            }
            else if (command.Route != ClusterRoute.Write || !TryPlainWrite(command, request))
            {
                // Decided; also a "plain" write whose arguments are not plainly valid: the worker says what is wrong.
                StartCommand(Reserve(RespReplyKind.Literal), raw, slots, decided: true, Resp3);
            }
        }
        finally
        {
            if (rented != null) ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Sorts <paramref name="slots"/> and drops repeats.</summary>
    private static Span<int> Distinct(Span<int> slots)
    {
        slots.Sort();
        int n = 0;
        for (int i = 0; i < slots.Length; i++)
        {
            if (i == 0 || slots[i] != slots[n - 1]) slots[n++] = slots[i];
        }
        return slots[..n];
    }

    /// <summary>
    /// Whether the slots lie in one replica pair and travel on one link per worker (links keep order only each on its
    /// own; with the default of one link per worker, any slots of a pair do).
    /// </summary>
    private bool OnePairOneLink(ReadOnlySpan<int> slots)
    {
        int links = Cluster.Options.LinksPerWorker;
        foreach (int slot in slots)
        {
            if (Cluster.Map.PairOf(slot) != Cluster.Map.PairOf(slots[0]) || slot % links != slots[0] % links)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// SET key value with EX, PX, EXAT or PXAT, SETEX and PSETEX with valid arguments, as one replicated write (its
    /// reply does not depend on what the key held); false for anything else, which the worker then decides.
    /// </summary>
    private bool TryPlainWrite(CommandInfo command, in RespRequest request)
    {
        long amount;
        bool seconds, absolute;
        int keyAt = 1, valueAt;
        if (command.Id == CommandId.Set && request.Count == 5)
        {
            valueAt = 2;
            seconds = request.ArgumentIs(3, "EX"u8) || request.ArgumentIs(3, "EXAT"u8);
            absolute = request.ArgumentIs(3, "EXAT"u8) || request.ArgumentIs(3, "PXAT"u8);
            if (!(seconds || absolute || request.ArgumentIs(3, "PX"u8)) || !Int64Text.TryParse(request[4], out amount))
            {
                return false;
            }
        }
        else if (command.Id is CommandId.SetEx or CommandId.PSetEx)
        {
            valueAt = 3;
            seconds = command.Id == CommandId.SetEx;
            absolute = false;
            if (!Int64Text.TryParse(request[2], out amount))
            {
                return false;
            }
        }
        else
        {
            return false;
        }
        long limit = (absolute ? EngineLimits.MaxExpiryUnixMs : EngineLimits.MaxExpiryUnixMs - Cluster.Clock.Instant())
            / (seconds ? 1000 : 1);
        if (amount <= 0 || amount > limit || !KeyFits(request, keyAt))
        {
            return false;
        }
        StartWrite(Reserve(RespReplyKind.Ok), request[keyAt], request[valueAt], new BinaryFrameHeader
        {
            Opcode = BinaryOpcode.ReplicaSet,
            Expiry = seconds ? amount * 1000 : amount,
            Flags = absolute ? BinaryFrameFlags.AbsoluteExpiry : BinaryFrameFlags.None,
        });
        return true;
    }

    /// <summary>Whether argument <paramref name="index"/> is a key the engine can hold (else the worker says why).</summary>
    private static bool KeyFits(in RespRequest request, int index) =>
        request.Count > index && (uint)(request[index].Length - 1) < EngineLimits.MaxKeyLength;

    /// <summary>
    /// A multi-key command over keys of several pairs, as one call per key (docs/consistency.md, guarantee 4): MGET's
    /// replies are its array's elements, MSET's +OK comes once every key is written, DEL, UNLINK, EXISTS and TOUCH
    /// add up their members' counts.
    /// </summary>
    private void SplitPerKey(CommandInfo command, in RespRequest request)
    {
        Span<int> slot = stackalloc int[1];
        if (command.Id == CommandId.MGet)
        {
            Span<byte> header = stackalloc byte[24];
            RespWriter.TryWriteArrayHeader(request.Count - 1, header, out int written);
            Literal(header[..written]);
            for (int i = 1; i < request.Count; i++)
            {
                slot[0] = KeySlot.Of(request[i]);
                StartCommand(Reserve(RespReplyKind.Literal), SingleKeyCommand("GET"u8, request[i]), slot, decided: false, Resp3);
            }
            return;
        }
        if (command.Id == CommandId.MSet)
        {
            for (int i = 1; i < request.Count; i += 2)
            {
                if (!KeyFits(request, i))
                {
                    Error(request[i].IsEmpty ? "ERR empty keys are not supported" : "ERR key longer than 250 bytes");
                    return;
                }
            }
            // Each key its own write: unlike Redis's MSET, another client may see some keys written before others.
            long group = ReserveGroup(RespReplyKind.OkTotal);
            for (int i = 1; i < request.Count; i += 2)
            {
                StartWrite(Replies.ReserveMember(group), request[i], request[i + 1], new BinaryFrameHeader { Opcode = BinaryOpcode.ReplicaSet });
            }
            SealGroup(group);
            return;
        }
        // DEL and UNLINK decide each key; EXISTS and TOUCH read it. A key named twice counts twice for EXISTS, as in
        // Redis, and once for DEL (the second delete finds nothing).
        bool decided = command.Route == ClusterRoute.Decided;
        long head = ReserveGroup(RespReplyKind.CountTotal);
        for (int i = 1; i < request.Count; i++)
        {
            slot[0] = KeySlot.Of(request[i]);
            StartCommand(Replies.ReserveMember(head), SingleKeyCommand(command.NameBytes, request[i]), slot, decided, Resp3);
        }
        SealGroup(head);
    }

    // One single-key command at a time is built here; a call copies it before the next is built.
    private byte[] _single = new byte[256];

    /// <summary><c>NAME key</c> as a RESP array, in a buffer reused for the next one.</summary>
    private ReadOnlySpan<byte> SingleKeyCommand(ReadOnlySpan<byte> name, ReadOnlySpan<byte> key)
    {
        int size = 64 + name.Length + key.Length;
        if (_single.Length < size)
        {
            _single = new byte[size];
        }
        Span<byte> span = _single;
        RespWriter.TryWriteArrayHeader(2, span, out int length);
        RespWriter.TryWriteBulkString(name, span[length..], out int written);
        length += written;
        RespWriter.TryWriteBulkString(key, span[length..], out written);
        return span[..(length + written)];
    }

    /// <summary>
    /// DBSIZE, KEYS, SCAN, RANDOMKEY: with one pair (two workers) passed to an up copy as they are; with several, each
    /// pair asked for its own keys (a worker holds two pairs' keys, <see cref="KeyFilter"/>) and the answers joined:
    /// DBSIZE adds up, KEYS joins, RANDOMKEY picks one of the pairs' keys, and SCAN walks the pairs one after another,
    /// its cursor carrying the pair.
    /// </summary>
    private void Keyspace(CommandInfo command, in RespRequest request, ReadOnlySpan<byte> raw)
    {
        SlotMap map = Cluster.Map;
        Span<int> slot = [0];
        if (map.PairCount == 1)
        {
            StartCommand(Reserve(RespReplyKind.Literal), raw, slot, decided: false, Resp3);
            return;
        }
        if (command.Id == CommandId.Scan)
        {
            Scan(request, raw);
            return;
        }
        RespReplyKind kind = command.Id switch
        {
            CommandId.DbSize => RespReplyKind.CountTotal,
            CommandId.Keys => RespReplyKind.ArrayJoin,
            _ => RespReplyKind.AnyBulk,
        };
        long head = ReserveGroup(kind);
        if (kind == RespReplyKind.AnyBulk)
        {
            Replies.Prime(head, Resp3 ? "_\r\n"u8 : "$-1\r\n"u8); // no pair has a key
        }
        for (int pair = 0; pair < map.PairCount; pair++)
        {
            slot[0] = pair; // slot p belongs to pair p
            StartCommand(Replies.ReserveMember(head), raw, slot, decided: false, Resp3, map.FilterOf(pair));
        }
        SealGroup(head);
    }

    /// <summary>SCAN over several pairs: the cluster's cursor carries the pair in bits 32–47, the worker's in the rest.</summary>
    private void Scan(in RespRequest request, ReadOnlySpan<byte> raw)
    {
        if (!ulong.TryParse(request[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cursor)
            || (int)((cursor >> 32) & 0xFFFF) >= Cluster.Map.PairCount)
        {
            Span<int> any = [0];
            StartCommand(Reserve(RespReplyKind.Literal), raw, any, decided: false, Resp3); // the worker's error
            return;
        }
        int pair = (int)((cursor >> 32) & 0xFFFF);
        ulong workerCursor = cursor & ~(0xFFFFUL << 32);
        // The same command with the worker's cursor in place of the cluster's.
        var rewritten = new ArrayBufferWriter<byte>(raw.Length + 32);
        RespWriter.TryWriteArrayHeader(request.Count, rewritten.GetSpan(16), out int written);
        rewritten.Advance(written);
        byte[] digits = new byte[20];
        workerCursor.TryFormat(digits, out int digitCount, default, System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < request.Count; i++)
        {
            ReadOnlySpan<byte> argument = i == 1 ? digits.AsSpan(0, digitCount) : request[i];
            RespWriter.TryWriteBulkString(argument, rewritten.GetSpan(argument.Length + 16), out written);
            rewritten.Advance(written);
        }
        long sequence = Replies.Reserve(out ReplyEntry entry);
        entry.Kind = (int)RespReplyKind.ScanCursor;
        entry.GroupSum = ((long)Cluster.Map.PairCount << 32) | (uint)pair;
        Span<int> slot = [pair];
        StartCommand(sequence, rewritten.WrittenSpan, slot, decided: false, Resp3, Cluster.Map.FilterOf(pair));
    }

    /// <summary>FLUSHDB / FLUSHALL [ASYNC|SYNC]: every copy emptied, as a barrier (<see cref="FlushCall"/>).</summary>
    private void Flush(in RespRequest request)
    {
        if (request.Count > 2 || (request.Count == 2 && !request.ArgumentIs(1, "SYNC"u8) && !request.ArgumentIs(1, "ASYNC"u8)))
        {
            Error("ERR syntax error");
            return;
        }
        new FlushCall().Start(this, Reserve(RespReplyKind.Ok));
    }

    /// <summary>
    /// CONFIG GET as a worker answers it (<see cref="ConfigParameters"/>); maxmemory is 0, "no limit", since the
    /// orchestrator holds no items (each worker has its own).
    /// </summary>
    private void ConfigGet(in RespRequest request)
    {
        List<(string Name, string Value)> matched = ConfigParameters.Match(request, maxMemory: 0);
        byte[] reply = new byte[16 + matched.Sum(p => 32 + p.Name.Length + p.Value.Length)];
        RespWriter.TryWriteArrayHeader(matched.Count * 2, reply, out int length);
        foreach ((string name, string value) in matched)
        {
            RespWriter.TryWriteBulkString(Encoding.Latin1.GetBytes(name), reply.AsSpan(length), out int written);
            length += written;
            RespWriter.TryWriteBulkString(Encoding.Latin1.GetBytes(value), reply.AsSpan(length), out written);
            length += written;
        }
        Literal(reply.AsSpan(0, length));
    }

    private long ReserveGroup(RespReplyKind kind)
    {
        long sequence = Replies.ReserveGroup(out ReplyEntry head);
        head.Kind = (int)kind;
        return sequence;
    }

    private void SealGroup(long head)
    {
        var format = new RespReplyFormat(default);
        Replies.SealGroup(head, ref format);
    }

    private long Reserve(RespReplyKind kind)
    {
        long sequence = Replies.Reserve(out ReplyEntry entry);
        entry.Kind = (int)kind;
        return sequence;
    }

    private void Literal(ReadOnlySpan<byte> bytes) =>
        Complete(Reserve(RespReplyKind.Literal), new ClusterReply(BinaryStatus.Ok, bytes));

    private void Error(string message)
    {
        byte[] reply = new byte[message.Length + 3];
        RespWriter.TryWriteError(Encoding.UTF8.GetBytes(message), reply, out int written);
        Literal(reply.AsSpan(0, written));
    }

    /// <inheritdoc />
    protected override void Format(long sequence, in ClusterReply reply)
    {
        var format = new RespReplyFormat(reply);
        Replies.Complete(sequence, ref format);
    }
}
