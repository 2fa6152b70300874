using System.Buffers;
using System.Buffers.Binary;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

// What the orchestrator hands a RespSession: a command forwarded in a COMMAND frame (run as a RESP client's would,
// reporting for a decided one the state of every key it wrote), and on the orchestrator's own connections the
// connection commands it answers itself, with these same handlers and error texts.
public sealed partial class RespSession
{
    // Keyspace commands count only the keys of one replica pair when the orchestrator says which (KeyFilter).
    private KeyFilter _filter;

    /// <summary>
    /// A session with no engine, for the orchestrator's client connections: it runs only the commands the
    /// orchestrator answers itself (<see cref="ClusterRoute.Local"/>: HELLO, CLIENT, COMMAND, PING …), and writes the
    /// arity, unknown-command and unknown-subcommand errors of every command, exactly as a worker does.
    /// </summary>
    /// <remarks>
    /// The connection's authentication lives here too (<see cref="IsAuthenticated"/>): the orchestrator's session sends
    /// every request here until it is authenticated, and AUTH and HELLO are these handlers.
    /// </remarks>
    public static RespSession ForConnection(WorkerStats stats, AccessControl? access = null) => new(stats, access);

    private RespSession(WorkerStats stats, AccessControl? access)
    {
        ArgumentNullException.ThrowIfNull(stats);
        _engine = null!;
        _stats = stats;
        _client = new ConnectedClient(stats.NextClientId());
        _access = access ?? AccessControl.Open;
        _authenticated = !_access.RequiresPassword;
        _parser.RequireAuthentication = !_authenticated;
    }

    /// <summary>Whether the client may run commands: no password is required, or it gave the right one.</summary>
    public bool IsAuthenticated => _authenticated;

    /// <summary>Whether the session has no engine (<see cref="ForConnection"/>).</summary>
    private bool IsConnectionOnly => _engine is null;

    /// <summary>The RESP version the client chose (HELLO).</summary>
    public RespVersion Version => _version;

    /// <summary>The connection's client id (CLIENT ID).</summary>
    public long ClientId => _client.Id;

    /// <summary>The connection's name (CLIENT SETNAME), or null.</summary>
    public byte[]? ClientName => _client.Name;

    /// <summary>The connection as CLIENT LIST shows it; the orchestrator records its own hot path's commands in it.</summary>
    internal ConnectedClient Client => _client;

    /// <summary>
    /// Runs <paramref name="request"/> on a <see cref="ForConnection"/> session, its reply written to
    /// <paramref name="output"/>: a local command, or the error a command with a wrong argument count, an unknown
    /// name or an unknown subcommand gets.
    /// </summary>
    public void RunLocal(in RespRequest request, OutputBuffer output)
    {
        _output = output;
        Execute(request);
    }

    /// <summary>
    /// Runs the one RESP command <paramref name="command"/> (a COMMAND frame's value) in <paramref name="version"/>,
    /// counting only the keys <paramref name="filter"/> admits, and writes to <paramref name="output"/> a u32 length,
    /// the RESP reply, and, when <paramref name="stamp"/> is not 0, one <see cref="KeyOutcome"/> for each key of
    /// the command that now carries that version: the command was decided at that version, so every key it wrote
    /// stores it (the engine's version stamp), and every key it removed left a tombstone carrying it.
    /// </summary>
    internal void RunForwarded(ReadOnlySpan<byte> command, RespVersion version, KeyFilter filter, ulong stamp,
        OutputBuffer output)
    {
        _output = output;
        _version = version;
        _filter = filter;
        int lengthAt = output.Written;
        output.GetSpan(4);
        output.Advance(4); // the reply's length, written once it is known
        OperationStatus status = _parser.TryParse(command, out RespRequest request, out int consumed);
        if (status != OperationStatus.Done || consumed != command.Length || request.IsEmpty)
        {
            WriteError("ERR the orchestrator forwarded a malformed command"u8);
        }
        else if (stamp == 0)
        {
            Execute(request);
        }
        else
        {
            using (_engine.StampVersions(stamp))
            {
                Execute(request);
            }
        }
        BinaryPrimitives.WriteInt32LittleEndian(output.Bytes.AsSpan(lengthAt), output.Written - lengthAt - 4);
        if (stamp != 0 && status == OperationStatus.Done && !request.IsEmpty)
        {
            WriteOutcomes(request, stamp);
        }
        _filter = default;
    }

    /// <summary>One <see cref="KeyOutcome"/> for each key of <paramref name="request"/> written at <paramref name="stamp"/>.</summary>
    private void WriteOutcomes(in RespRequest request, ulong stamp)
    {
        CommandInfo? info = CommandTable.Find(request[0]);
        if (info is null || info.FirstKey == 0)
        {
            return;
        }
        var sink = new OutcomeSink(_output, stamp);
        for (int i = info.FirstKey; i < info.KeyEnd(request.Count); i += info.Step)
        {
            _engine.Inspect(request[i], ref sink);
        }
    }
}
