using System.Buffers;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

/// <summary>
/// Executes the RESP commands of one connection over a worker's <see cref="CacheEngine"/>, with Redis 7's
/// semantics and error texts. Only strings exist here, so no command ever answers WRONGTYPE.
/// </summary>
/// <remarks>
/// GET and SET (and INCR, DEL, MGET) are the hot path: dispatch compares bytes without allocating, replies are
/// written straight into the connection's <see cref="OutputBuffer"/>, and a value goes from the engine's
/// item to the output in one copy (decompressed on the way if stored compressed). The command families live
/// in partial files, one each, as Garnet's RespServerSession does.
/// </remarks>
public sealed partial class RespSession
{
    private readonly CacheEngine _engine;
    private readonly WorkerStats _stats;
    private readonly RespParser _parser = new();
    private readonly ConnectedClient _client;
    private readonly AccessControl _access;
    private RespVersion _version = RespVersion.Resp2;

    // Whether the connection may run commands (RespSession.Connection.cs: true from the start without a password),
    // and its failed AUTH attempts. GET and SET skip the table only when _direct: an engine's session whose client is
    // authenticated, so the hot path's check stays one field read.
    private bool _authenticated;
    private bool _direct;
    private int _authFailures;

    // Pipelined requests are parsed a batch at a time ahead of running them, their keys prefetched (ParseAhead).
    // A batch holds at most AheadArguments arguments in all; a request with more is parsed when it runs.
    private const int AheadArguments = 64;
    private readonly ParsedRequest[] _ahead = new ParsedRequest[PipelinePrefetch.Batch];
    private readonly RespArgument[] _aheadArguments = new RespArgument[AheadArguments];

    // The connection's output for the duration of one Process call; handlers run only inside it.
    private OutputBuffer _output = null!;

    /// <summary>
    /// Creates the executor of one connection; with <paramref name="access"/> requiring a password, the client must
    /// authenticate first (without one, or with none given, it is authenticated from the start).
    /// </summary>
    public RespSession(CacheEngine engine, WorkerStats stats, AccessControl? access = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(stats);
        _engine = engine;
        _stats = stats;
        _client = new ConnectedClient(stats.NextClientId());
        _access = access ?? AccessControl.Open;
        _authenticated = !_access.RequiresPassword;
        _direct = _authenticated;
        _parser.RequireAuthentication = !_authenticated;
    }

    /// <summary>Set after QUIT or a protocol error: the loop sends what is written, then closes.</summary>
    public bool CloseRequested { get; private set; }

    /// <summary>
    /// Executes the complete requests at the start of <paramref name="input"/> and writes their replies.
    /// Returns the bytes consumed: 0 if the first request is incomplete. Stops early once
    /// <see cref="OutputBuffer.IsFull"/>. After QUIT or a protocol error the rest of the input is consumed
    /// unexecuted and <see cref="CloseRequested"/> is set.
    /// </summary>
    public int Process(ReadOnlySpan<byte> input, OutputBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (CloseRequested)
        {
            return input.Length;
        }
        _output = output;
        _client.LastInteractionMs = Environment.TickCount64; // idle= counts from the last read, as Redis's
        int consumed = 0;
        int ahead = 0, next = 0; // requests parsed ahead (_ahead[next..ahead] not run yet)
        while (consumed < input.Length && !output.IsFull)
        {
            if (next == ahead && input.Length - consumed >= PipelinePrefetch.MinInput && !_parser.RequireAuthentication)
            {
                (ahead, next) = (ParseAhead(input[consumed..]), 0);
            }
            RespRequest request;
            int length;
            if (next < ahead)
            {
                ParsedRequest parsed = _ahead[next++];
                request = new RespRequest(input.Slice(consumed, parsed.Length),
                    _aheadArguments.AsSpan(parsed.FirstArgument, parsed.ArgumentCount), isInline: false);
                length = parsed.Length;
            }
            else
            {
                OperationStatus status = _parser.TryParse(input[consumed..], out request, out length);
                if (status == OperationStatus.NeedMoreData)
                {
                    break;
                }
                if (status != OperationStatus.Done)
                {
                    // As Redis: reply the protocol error, then close; nothing after it can be framed reliably.
                    Span<byte> span = output.GetSpan(256);
                    RespWriter.TryWriteProtocolError(_parser.Error, span, out int written);
                    output.Advance(written);
                    CloseRequested = true;
                    return input.Length;
                }
            }
            consumed += length;
            if (!request.IsEmpty)
            {
                try
                {
                    Execute(request);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // A bug in one command must not take the worker, and every client's data, down with it
                    // (nothing above this catches). Part of a reply may be written already: close.
                    WriteError("ERR internal error"u8);
                    CloseRequested = true;
                }
                if (CloseRequested)
                {
                    return input.Length;
                }
                if (_parser.RequireAuthentication)
                {
                    next = ahead; // the rest were parsed under other limits: parse them again
                }
            }
        }
        return consumed;
    }

    /// <summary>
    /// Parses up to <see cref="PipelinePrefetch.Batch"/> requests at the start of <paramref name="input"/> into
    /// <see cref="_ahead"/> without running them, and starts loading the hash bucket of each one's first argument
    /// (its key, for GET, SET and most commands; a wasted prefetch for the others costs a hash). With pipelined
    /// requests the bucket misses, most of a lookup's cost in a large table, then overlap rather than come one
    /// after another. Returns how many it parsed. It stops before a request that is incomplete or malformed (left
    /// to the parse that reports it), inline (its arguments may lie in the parser's scratch buffer, which the next
    /// parse reuses) or too many arguments for what is left of <see cref="_aheadArguments"/>.
    /// </summary>
    private int ParseAhead(ReadOnlySpan<byte> input)
    {
        int offset = 0, requests = 0, arguments = 0;
        while (requests < PipelinePrefetch.Batch && offset < input.Length
            && _parser.TryParse(input[offset..], out RespRequest request, out int length) == OperationStatus.Done
            && !request.IsInline && request.Count <= AheadArguments - arguments)
        {
            request.CopyArgumentsTo(_aheadArguments.AsSpan(arguments));
            _ahead[requests++] = new ParsedRequest(length, arguments, request.Count);
            arguments += request.Count;
            offset += length;
            if (request.Count >= 2)
            {
                _engine.Prefetch(request[1]);
            }
        }
        return requests;
    }

    private void Execute(in RespRequest request)
    {
        ReadOnlySpan<byte> name = request[0];
        // GET and SET skip the table: three byte compares (| 0x20 folds ASCII letters to lower case).
        if (name.Length == 3 && (name[1] | 0x20) == 'e' && (name[2] | 0x20) == 't' && _direct)
        {
            int first = name[0] | 0x20;
            if (first == 'g' && request.Count == 2)
            {
                _stats.CountCommand();
                _client.LastCommand = CommandTable.GetCommand;
                Get(request);
                return;
            }
            if (first == 's' && request.Count >= 3)
            {
                _stats.CountCommand();
                _client.LastCommand = CommandTable.SetCommand;
                Set(request);
                return;
            }
        }
        CommandInfo? command = CommandTable.Find(name);
        _client.LastCommand = command; // Redis's lastcmd: what the lookup found, null for an unknown command
        if (command is null)
        {
            WriteUnknownCommand(request);
            return;
        }
        if (!command.AcceptsCount(request.Count))
        {
            WriteArityError(command);
            return;
        }
        // A container (CLIENT, CONFIG, COMMAND) runs the subcommand its second argument names.
        if (command.Subcommands.Length != 0 && request.Count > 1)
        {
            CommandInfo? sub = command.FindSubcommand(request[1]);
            _client.LastCommand = sub;
            if (sub is null)
            {
                WriteUnknownSubcommand(request);
                return;
            }
            if (!sub.AcceptsCount(request.Count))
            {
                WriteArityError(sub);
                return;
            }
            command = sub;
        }
        // As Redis's processCommand: an unknown command and a wrong arity are answered first, then NOAUTH.
        if (!_authenticated && !command.RunsBeforeAuth)
        {
            WriteError(AccessControl.NoAuthMessage);
            return;
        }
        if (IsConnectionOnly && command.Route != ClusterRoute.Local)
        {
            WriteError("ERR internal error"u8); // the orchestrator routes every other command itself
            return;
        }
        _stats.CountCommand();
        Dispatch(command.Id, request);
    }

    private void Dispatch(CommandId id, in RespRequest request)
    {
        switch (id)
        {
            case CommandId.Get: Get(request); break;
            case CommandId.Set: Set(request); break;
            case CommandId.SetNx: SetNx(request); break;
            case CommandId.SetEx: SetEx(request, milliseconds: false); break;
            case CommandId.PSetEx: SetEx(request, milliseconds: true); break;
            case CommandId.GetSet: GetSet(request); break;
            case CommandId.GetDel: GetDel(request); break;
            case CommandId.GetEx: GetEx(request); break;
            case CommandId.MGet: MGet(request); break;
            case CommandId.MSet: MSet(request); break;
            case CommandId.MSetNx: MSetNx(request); break;
            case CommandId.Incr: IncrementBy(request, 1); break;
            case CommandId.Decr: IncrementBy(request, -1); break;
            case CommandId.IncrBy: IncrBy(request, negate: false); break;
            case CommandId.DecrBy: IncrBy(request, negate: true); break;
            case CommandId.IncrByFloat: IncrByFloat(request); break;
            case CommandId.Append: Append(request); break;
            case CommandId.StrLen: StrLen(request); break;
            case CommandId.GetRange: GetRange(request); break;
            case CommandId.SetRange: SetRange(request); break;
            case CommandId.SetBit: SetBit(request); break;
            case CommandId.GetBit: GetBit(request); break;
            case CommandId.BitCount: BitCount(request); break;
            case CommandId.Lcs: Lcs(request); break;
            case CommandId.Del:
            case CommandId.Unlink: Del(request); break;
            case CommandId.Exists:
            case CommandId.Touch: Exists(request); break;
            case CommandId.Type: TypeOf(request); break;
            case CommandId.Rename: Rename(request, onlyIfAbsent: false); break;
            case CommandId.RenameNx: Rename(request, onlyIfAbsent: true); break;
            case CommandId.Copy: Copy(request); break;
            case CommandId.Keys: Keys(request); break;
            case CommandId.Scan: Scan(request); break;
            case CommandId.RandomKey: RandomKey(); break;
            case CommandId.Expire: Expire(request, "expire"u8, milliseconds: false, absolute: false); break;
            case CommandId.PExpire: Expire(request, "pexpire"u8, milliseconds: true, absolute: false); break;
            case CommandId.ExpireAt: Expire(request, "expireat"u8, milliseconds: false, absolute: true); break;
            case CommandId.PExpireAt: Expire(request, "pexpireat"u8, milliseconds: true, absolute: true); break;
            case CommandId.ExpireTime: ExpireTime(request, milliseconds: false); break;
            case CommandId.PExpireTime: ExpireTime(request, milliseconds: true); break;
            case CommandId.Ttl: Ttl(request, milliseconds: false); break;
            case CommandId.PTtl: Ttl(request, milliseconds: true); break;
            case CommandId.Persist: Persist(request); break;
            case CommandId.DbSize: DbSize(); break;
            case CommandId.FlushDb:
            case CommandId.FlushAll: Flush(request); break;
            case CommandId.Select: Select(request); break;
            case CommandId.Ping: Ping(request); break;
            case CommandId.Echo: WriteBulk(request[1]); break;
            case CommandId.Info: Info(request); break;
            case CommandId.Hello: Hello(request); break;
            case CommandId.Auth: Auth(request); break;
            case CommandId.ClientSetName: ClientSetName(request); break;
            case CommandId.ClientGetName: ClientGetName(); break;
            case CommandId.ClientId: WriteInteger(_client.Id); break;
            case CommandId.ClientSetInfo: ClientSetInfo(request); break;
            case CommandId.ClientHelp: WriteHelp(ClientHelpLines); break;
            case CommandId.ClientList: ClientList(request); break;
            case CommandId.ClientInfo: ClientInfo(); break;
            case CommandId.ClientKill: ClientKill(request); break;
            case CommandId.ConfigGet: ConfigGet(request); break;
            case CommandId.ConfigHelp: WriteHelp(ConfigHelpLines); break;
            case CommandId.Command: CommandAll(); break;
            case CommandId.CommandCount: WriteInteger(CommandTable.All.Length); break;
            case CommandId.CommandDocs: CommandDocs(request); break;
            case CommandId.CommandInfo: CommandInfoOf(request); break;
            case CommandId.CommandList: CommandList(request); break;
            case CommandId.CommandHelp: WriteHelp(CommandHelpLines); break;
            case CommandId.Quit: Quit(); break;
            case CommandId.Role: Role(); break;
            case CommandId.Cluster: WriteError("ERR This instance has cluster support disabled"u8); break;
            case CommandId.Time: Time(); break;
            case CommandId.FunctionFlush: FunctionFlush(request); break;
            case CommandId.FunctionHelp: WriteHelp(FunctionHelpLines); break;
            default: WriteUnknownCommand(request); break;
        }
    }
}
