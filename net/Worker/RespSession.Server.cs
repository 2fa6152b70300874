using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// Server commands: DBSIZE (inline in dispatch), FLUSHDB, FLUSHALL, SELECT, PING, ECHO, INFO, CONFIG GET, COMMAND,
// QUIT, ROLE, TIME. None of these is on a hot path: they may allocate.
public sealed partial class RespSession
{
    private static readonly string[] ClientHelpLines =
    [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "HELP",
        "    Print this help.",
    ];

    private static readonly string[] ConfigHelpLines =
    [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "HELP",
        "    Print this help.",
    ];

    private static readonly string[] CommandHelpLines =
    [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all commands.",
        "COUNT",
        "    Return the total number of commands in this server.",
        "LIST",
        "    Return a list of all commands in this server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "HELP",
        "    Print this help.",
    ];

    private void Flush(in RespRequest request)
    {
        // SYNC and ASYNC are both accepted; a flush here is quick either way (pages go back to the arena).
        if (request.Count > 2 ||
            (request.Count == 2 && !Ascii.EqualsIgnoreCase(request[1], "SYNC"u8) &&
             !Ascii.EqualsIgnoreCase(request[1], "ASYNC"u8)))
        {
            WriteSyntaxError();
            return;
        }
        _engine.Flush();
        WriteOk();
    }

    private void Select(in RespRequest request)
    {
        if (!TryParseInt32(request[1], out int db))
        {
            return;
        }
        if (db != 0)
        {
            WriteError("ERR DB index is out of range"u8);
            return;
        }
        WriteOk();
    }

    private void Ping(in RespRequest request)
    {
        if (request.Count > 2)
        {
            WriteArityError(CommandTable.Find("ping"u8)!);
        }
        else if (request.Count == 2)
        {
            WriteBulk(request[1]);
        }
        else
        {
            _output.Write("+PONG\r\n"u8);
        }
    }

    private void Quit()
    {
        WriteOk();
        CloseRequested = true;
    }

    /// <summary>
    /// TIME: this process's wall clock as [seconds, microseconds], both bulk strings, as Redis answers. The
    /// orchestrator answers it itself (a Local command) with its own clock, by which it has workers judge expiry; a
    /// worker adds its test-only clock offset (worker --clock-offset-ms), as its own expiry does.
    /// </summary>
    private void Time()
    {
        long offsetMs = IsConnectionOnly ? 0 : (_engine.Clock as SenderClock)?.OffsetMilliseconds ?? 0;
        long micros = ((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond) + (offsetMs * 1000);
        Span<byte> digits = stackalloc byte[Int64Text.MaxLength];
        WriteArrayHeader(2);
        WriteBulk(digits[..Int64Text.Format(Math.DivRem(micros, 1_000_000, out long fraction), digits)]);
        WriteBulk(digits[..Int64Text.Format(fraction, digits)]);
    }

    /// <summary>Always a primary without replicas: replication between workers is the orchestrator's, not RESP's.</summary>
    private void Role()
    {
        WriteArrayHeader(3);
        WriteBulk("master"u8);
        WriteInteger(0);
        WriteArrayHeader(0);
    }

    /// <summary>
    /// INFO [section ...]: server, clients, memory, stats, replication and keyspace, in Redis's "field:value"
    /// lines. No section, "default", "all" or "everything" gives them all; unknown sections add nothing.
    /// </summary>
    private void Info(in RespRequest request)
    {
        bool all = request.Count == 1;
        bool server = all, clients = all, memory = all, stats = all, replication = all, keyspace = all;
        for (int i = 1; i < request.Count; i++)
        {
            ReadOnlySpan<byte> section = request[i];
            if (Ascii.EqualsIgnoreCase(section, "default"u8) || Ascii.EqualsIgnoreCase(section, "all"u8) ||
                Ascii.EqualsIgnoreCase(section, "everything"u8))
            {
                server = clients = memory = stats = replication = keyspace = true;
            }
            else if (Ascii.EqualsIgnoreCase(section, "server"u8)) server = true;
            else if (Ascii.EqualsIgnoreCase(section, "clients"u8)) clients = true;
            else if (Ascii.EqualsIgnoreCase(section, "memory"u8)) memory = true;
            else if (Ascii.EqualsIgnoreCase(section, "stats"u8)) stats = true;
            else if (Ascii.EqualsIgnoreCase(section, "replication"u8)) replication = true;
            else if (Ascii.EqualsIgnoreCase(section, "keyspace"u8)) keyspace = true;
        }
        var text = new StringBuilder();
        EngineStats engine = memory || stats ? _engine.GetStats() : default;
        if (server)
        {
            TimeSpan uptime = DateTime.UtcNow - _stats.StartedUtc;
            BeginSection(text, "Server");
            Field(text, "redis_version", RedisCompatibility.Version);
            Field(text, "redis_mode", "standalone");
            Field(text, "os", RuntimeInformation.OSDescription);
            Field(text, "arch_bits", IntPtr.Size * 8);
            Field(text, "process_id", Environment.ProcessId);
            Field(text, "run_id", RunId);
            Field(text, "uptime_in_seconds", (long)uptime.TotalSeconds);
            Field(text, "uptime_in_days", (long)uptime.TotalDays);
        }
        if (clients)
        {
            BeginSection(text, "Clients");
            Field(text, "connected_clients", _stats.Connections);
            Field(text, "maxclients", _stats.MaxConnections);
        }
        if (memory)
        {
            long used = engine.NativeBytes;
            long max = engine.PageLimit * EngineLimits.PageSize;
            BeginSection(text, "Memory");
            Field(text, "used_memory", used);
            Field(text, "used_memory_human", HumanBytes(used));
            Field(text, "maxmemory", max);
            Field(text, "maxmemory_human", HumanBytes(max));
            Field(text, "maxmemory_policy", "allkeys-lru");
            ProcessMemoryInfo.Append(text);
        }
        if (stats)
        {
            BeginSection(text, "Stats");
            Field(text, "total_commands_processed", _stats.CommandsProcessed);
            Field(text, "rejected_connections", _stats.RejectedConnections);
            Field(text, "expired_keys", engine.Expirations);
            Field(text, "evicted_keys", engine.Evictions);
            Field(text, "keyspace_hits", engine.Hits);
            Field(text, "keyspace_misses", engine.Misses);
        }
        if (replication)
        {
            BeginSection(text, "Replication");
            Field(text, "role", "master");
            Field(text, "connected_slaves", 0);
        }
        if (keyspace)
        {
            BeginSection(text, "Keyspace");
            long keys = _engine.Count;
            if (keys > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"db0:keys={keys},expires={CountExpiring()},avg_ttl=0\r\n");
            }
        }
        WriteVerbatim(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>
    /// Keys with an expiry, by a walk over the whole keyspace: the engine keeps no such counter. The walk takes
    /// one shard lock per batch, so other connections go on; it costs this one time linear in the key count.
    /// </summary>
    private long CountExpiring()
    {
        var counter = new ExpiryCounter();
        SnapshotCursor cursor = _engine.CreateSnapshot();
        while (!cursor.IsComplete)
        {
            cursor.Read(ref counter, 1024);
        }
        return counter.Count;
    }

    /// <summary>A 40-hex-digit id, new each time the worker starts, as Redis's run_id is (clients watch it for restarts).</summary>
    private static readonly string RunId = RandomNumberGenerator.GetHexString(40, lowercase: true);

    private static void BeginSection(StringBuilder text, string name)
    {
        if (text.Length != 0)
        {
            text.Append("\r\n");
        }
        text.Append("# ").Append(name).Append("\r\n");
    }

    private static void Field(StringBuilder text, string name, string value) =>
        text.Append(name).Append(':').Append(value).Append("\r\n");

    private static void Field(StringBuilder text, string name, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}:{value}\r\n");

    /// <summary>Redis's bytesToHuman: two decimals and B, K, M, G, T or P.</summary>
    private static string HumanBytes(long bytes)
    {
        ReadOnlySpan<char> units = "BKMGTP";
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("F2", CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>CONFIG GET pattern [pattern ...] (<see cref="ConfigParameters"/>), as a map.</summary>
    private void ConfigGet(in RespRequest request)
    {
        List<(string Name, string Value)> matched =
            ConfigParameters.Match(request, _engine.GetStats().PageLimit * EngineLimits.PageSize);
        WriteMapHeader(matched.Count);
        foreach ((string name, string value) in matched)
        {
            WriteBulk(Encoding.Latin1.GetBytes(name));
            WriteBulk(value);
        }
    }

    /// <summary>COMMAND: every command's Redis 7 info entry.</summary>
    private void CommandAll()
    {
        WriteArrayHeader(CommandTable.All.Length);
        foreach (CommandInfo command in CommandTable.All)
        {
            WriteCommandInfo(command);
        }
    }

    /// <summary>COMMAND INFO [name ...]: an entry per name, null for an unknown one; all without names.</summary>
    private void CommandInfoOf(in RespRequest request)
    {
        if (request.Count == 2)
        {
            CommandAll();
            return;
        }
        WriteArrayHeader(request.Count - 2);
        for (int i = 2; i < request.Count; i++)
        {
            CommandInfo? command = FindForIntrospection(request[i]);
            if (command is null)
            {
                WriteNull();
            }
            else
            {
                WriteCommandInfo(command);
            }
        }
    }

    /// <summary>
    /// COMMAND DOCS [name ...]: a map of name to summary, since and group, which is what redis-cli reads for its
    /// help; unknown names are left out, as in Redis.
    /// </summary>
    private void CommandDocs(in RespRequest request)
    {
        var commands = new List<CommandInfo>();
        if (request.Count == 2)
        {
            commands.AddRange(CommandTable.All);
        }
        for (int i = 2; i < request.Count; i++)
        {
            CommandInfo? command = FindForIntrospection(request[i]);
            if (command is not null)
            {
                commands.Add(command);
            }
        }
        WriteMapHeader(commands.Count);
        foreach (CommandInfo command in commands)
        {
            WriteBulk(command.NameBytes);
            WriteCommandDoc(command);
        }
    }

    private void WriteCommandDoc(CommandInfo command)
    {
        WriteMapHeader(command.Subcommands.Length == 0 ? 3 : 4);
        WriteBulk("summary"u8);
        WriteBulk(command.Summary);
        WriteBulk("since"u8);
        WriteBulk("1.0.0"u8);
        WriteBulk("group"u8);
        WriteBulk(command.Group);
        if (command.Subcommands.Length != 0)
        {
            WriteBulk("subcommands"u8);
            WriteMapHeader(command.Subcommands.Length);
            foreach (CommandInfo sub in command.Subcommands)
            {
                WriteBulk(sub.NameBytes);
                WriteCommandDoc(sub);
            }
        }
    }

    /// <summary>COMMAND LIST: the names of every command (FILTERBY is not supported).</summary>
    private void CommandList(in RespRequest request)
    {
        if (request.Count != 2)
        {
            WriteSyntaxError();
            return;
        }
        WriteArrayHeader(CommandTable.All.Length);
        foreach (CommandInfo command in CommandTable.All)
        {
            WriteBulk(command.NameBytes);
        }
    }

    /// <summary>A command by name, or a subcommand by its full "container|sub" name.</summary>
    private static CommandInfo? FindForIntrospection(ReadOnlySpan<byte> name)
    {
        int bar = name.IndexOf((byte)'|');
        if (bar < 0)
        {
            return CommandTable.Find(name);
        }
        return CommandTable.Find(name[..bar])?.FindSubcommand(name[(bar + 1)..]);
    }

    /// <summary>
    /// Redis 7's entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs,
    /// subcommands. Flags, categories and tips are sets (arrays in RESP2).
    /// </summary>
    private void WriteCommandInfo(CommandInfo command)
    {
        WriteArrayHeader(10);
        WriteBulk(command.NameBytes);
        WriteInteger(command.Arity);
        WriteSetHeader(command.Flags.Length);
        foreach (string flag in command.Flags)
        {
            WriteSimpleString(Encoding.ASCII.GetBytes(flag));
        }
        WriteInteger(command.FirstKey);
        WriteInteger(command.LastKey);
        WriteInteger(command.Step);
        WriteSetHeader(command.Categories.Length);
        foreach (string category in command.Categories)
        {
            WriteSimpleString(Encoding.ASCII.GetBytes(category));
        }
        WriteSetHeader(0);
        WriteArrayHeader(0);
        WriteArrayHeader(command.Subcommands.Length);
        foreach (CommandInfo sub in command.Subcommands)
        {
            WriteCommandInfo(sub);
        }
    }
}
