using System.Text;

namespace EchoCache.Net.Commands;

/// <summary>
/// The one command table, shared by the worker and the orchestrator: every command by name, for dispatch, arity
/// and unknown-command errors, COMMAND, and the orchestrator's routing (<see cref="ClusterRoute"/>). Lookup compares
/// the request's name, ignoring case, only with the names of its length: no allocation, no hashing, a few short
/// compares. Adding a command is one row here and one handler in the worker's RespSession; its route tells the
/// orchestrator how to serve it.
/// </summary>
/// <remarks>
/// SET's route is <see cref="ClusterRoute.Write"/>: with NX, XX, GET or KEEPTTL its outcome depends on the value
/// held, and the orchestrator decides it (<see cref="ClusterRoute.Decided"/>) instead.
/// </remarks>
public static class CommandTable
{
    private const string ReadFast = "readonly fast";
    private const string WriteFast = "write denyoom fast";
    private const string Connection = "noscript loading stale fast no_auth allow_busy";

    /// <summary>All commands, in COMMAND's order; hot ones first within each length, for dispatch.</summary>
    public static readonly CommandInfo[] All =
    [
        new("get", CommandId.Get, 2, ReadFast, 1, 1, 1, "@read @string @fast", "string", "Returns the string value of a key.") { Route = ClusterRoute.Read, Reply = ReplyShape.Bulk },
        new("set", CommandId.Set, -3, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.") { Route = ClusterRoute.Write, Reply = ReplyShape.Varies },
        new("del", CommandId.Del, -2, "write", 1, -1, 1, "@keyspace @write @slow", "generic", "Deletes one or more keys.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer, SplitsPerKey = true },
        new("incr", CommandId.Incr, 2, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("mget", CommandId.MGet, -2, ReadFast, 1, -1, 1, "@read @string @fast", "string", "Returns the string values of one or more keys.") { Route = ClusterRoute.Read, Reply = ReplyShape.Array, SplitsPerKey = true },
        new("mset", CommandId.MSet, -3, "write denyoom", 1, -1, 2, "@write @string @slow", "string", "Creates or modifies the string values of one or more keys (each pair its own write).") { Route = ClusterRoute.Decided, Reply = ReplyShape.Status, SplitsPerKey = true },
        new("setnx", CommandId.SetNx, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Set the string value of a key only when the key doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("setex", CommandId.SetEx, 4, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.") { Route = ClusterRoute.Write, Reply = ReplyShape.Status },
        new("psetex", CommandId.PSetEx, 4, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.") { Route = ClusterRoute.Write, Reply = ReplyShape.Status },
        new("getset", CommandId.GetSet, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Returns the previous string value of a key after setting it to a new value.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Bulk },
        new("getdel", CommandId.GetDel, 2, "write fast", 1, 1, 1, "@write @string @fast", "string", "Returns the string value of a key after deleting the key.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Bulk },
        new("getex", CommandId.GetEx, -2, "write fast", 1, 1, 1, "@write @string @fast", "string", "Returns the string value of a key after setting its expiration time.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Bulk },
        new("msetnx", CommandId.MSetNx, -3, "write denyoom", 1, -1, 2, "@write @string @slow", "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("decr", CommandId.Decr, 2, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("incrby", CommandId.IncrBy, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("decrby", CommandId.DecrBy, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("incrbyfloat", CommandId.IncrByFloat, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Bulk },
        new("append", CommandId.Append, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("strlen", CommandId.StrLen, 2, ReadFast, 1, 1, 1, "@read @string @fast", "string", "Returns the length of a string value.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("getrange", CommandId.GetRange, 4, "readonly", 1, 1, 1, "@read @string @slow", "string", "Returns a substring of the string stored at a key.") { Route = ClusterRoute.Read, Reply = ReplyShape.Bulk },
        new("setrange", CommandId.SetRange, 4, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("setbit", CommandId.SetBit, 4, "write denyoom", 1, 1, 1, "@write @bitmap @slow", "bitmap", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("getbit", CommandId.GetBit, 3, ReadFast, 1, 1, 1, "@read @bitmap @fast", "bitmap", "Returns a bit value by offset.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("bitcount", CommandId.BitCount, -2, "readonly", 1, 1, 1, "@read @bitmap @slow", "bitmap", "Counts the number of set bits (population counting) in a string.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("lcs", CommandId.Lcs, -3, "readonly", 1, 2, 1, "@read @string @slow", "string", "Finds the longest common substring.") { Route = ClusterRoute.Read, Reply = ReplyShape.Varies },
        new("unlink", CommandId.Unlink, -2, "write fast", 1, -1, 1, "@keyspace @write @fast", "generic", "Asynchronously deletes one or more keys.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer, SplitsPerKey = true },
        new("exists", CommandId.Exists, -2, ReadFast, 1, -1, 1, "@keyspace @read @fast", "generic", "Determines whether one or more keys exist.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer, SplitsPerKey = true },
        new("touch", CommandId.Touch, -2, ReadFast, 1, -1, 1, "@keyspace @read @fast", "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer, SplitsPerKey = true },
        new("type", CommandId.Type, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Determines the type of value stored at a key.") { Route = ClusterRoute.Read, Reply = ReplyShape.Status },
        new("rename", CommandId.Rename, 3, "write", 1, 2, 1, "@keyspace @write @slow", "generic", "Renames a key and overwrites the destination.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Status },
        new("renamenx", CommandId.RenameNx, 3, "write fast", 1, 2, 1, "@keyspace @write @fast", "generic", "Renames a key only when the target key name doesn't exist.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("copy", CommandId.Copy, -3, "write denyoom", 1, 2, 1, "@keyspace @write @slow", "generic", "Copies the value of a key to a new key.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("keys", CommandId.Keys, 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous", "generic", "Returns all key names that match a pattern.") { Route = ClusterRoute.Keyspace, Reply = ReplyShape.Array },
        new("scan", CommandId.Scan, -2, "readonly", 0, 0, 0, "@keyspace @read @slow", "generic", "Iterates over the key names in the database.") { Route = ClusterRoute.Keyspace, Reply = ReplyShape.Array },
        new("randomkey", CommandId.RandomKey, 1, "readonly", 0, 0, 0, "@keyspace @read @slow", "generic", "Returns a random key name from the database.") { Route = ClusterRoute.Keyspace, Reply = ReplyShape.Bulk },
        new("expire", CommandId.Expire, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key in seconds.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("pexpire", CommandId.PExpire, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key in milliseconds.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("expireat", CommandId.ExpireAt, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key to a Unix timestamp.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("pexpireat", CommandId.PExpireAt, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("expiretime", CommandId.ExpireTime, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time of a key as a Unix timestamp.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("pexpiretime", CommandId.PExpireTime, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("ttl", CommandId.Ttl, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time in seconds of a key.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("pttl", CommandId.PTtl, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time in milliseconds of a key.") { Route = ClusterRoute.Read, Reply = ReplyShape.Integer },
        new("persist", CommandId.Persist, 2, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Removes the expiration time of a key.") { Route = ClusterRoute.Decided, Reply = ReplyShape.Integer },
        new("dbsize", CommandId.DbSize, 1, ReadFast, 0, 0, 0, "@keyspace @read @fast", "server", "Returns the number of keys in the database.") { Route = ClusterRoute.Keyspace, Reply = ReplyShape.Integer },
        new("flushdb", CommandId.FlushDb, -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous", "server", "Remove all keys from the current database.") { Route = ClusterRoute.Flush, Reply = ReplyShape.Status },
        new("flushall", CommandId.FlushAll, -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous", "server", "Removes all keys from all databases.") { Route = ClusterRoute.Flush, Reply = ReplyShape.Status },
        new("select", CommandId.Select, 2, "loading stale fast", 0, 0, 0, "@keyspace @fast", "connection", "Changes the selected database.") { Route = ClusterRoute.Local, Reply = ReplyShape.Status },
        new("ping", CommandId.Ping, -1, "fast", 0, 0, 0, "@fast @connection", "connection", "Returns the server's liveliness response.") { Route = ClusterRoute.Local, Reply = ReplyShape.Varies, RunsBeforeAuth = true },
        new("echo", CommandId.Echo, 2, "fast", 0, 0, 0, "@fast @connection", "connection", "Returns the given string.") { Route = ClusterRoute.Local, Reply = ReplyShape.Bulk },
        new("info", CommandId.Info, -1, "loading stale", 0, 0, 0, "@slow @dangerous", "server", "Returns information and statistics about the server.") { Route = ClusterRoute.Server, Reply = ReplyShape.Varies },
        new("hello", CommandId.Hello, -1, Connection, 0, 0, 0, "@fast @connection", "connection", "Handshakes with the Redis server.") { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
        new("auth", CommandId.Auth, -2, Connection, 0, 0, 0, "@fast @connection", "connection", "Authenticates the connection.") { Route = ClusterRoute.Local, Reply = ReplyShape.Status },
        new("client", CommandId.Client, -2, "", 0, 0, 0, "@slow", "connection", "A container for client connection commands.",
        [
            new("client|setname", CommandId.ClientSetName, 3, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Sets the connection name.") { Route = ClusterRoute.Local, Reply = ReplyShape.Status },
            new("client|getname", CommandId.ClientGetName, 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns the name of the connection.") { Route = ClusterRoute.Local, Reply = ReplyShape.Bulk },
            new("client|id", CommandId.ClientId, 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns the unique client ID of the connection.") { Route = ClusterRoute.Local, Reply = ReplyShape.Integer },
            new("client|setinfo", CommandId.ClientSetInfo, 4, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Sets information specific to the client or connection.") { Route = ClusterRoute.Local, Reply = ReplyShape.Status },
            new("client|help", CommandId.ClientHelp, 2, "loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns helpful text about the different subcommands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
            new("client|list", CommandId.ClientList, -2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous @connection", "connection", "Lists open connections.") { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
            new("client|info", CommandId.ClientInfo, 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns information about the connection.") { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
            new("client|kill", CommandId.ClientKill, -3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous @connection", "connection", "Terminates open connections.") { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
        ]) { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
        new("config", CommandId.Config, -2, "", 0, 0, 0, "@slow", "server", "A container for server configuration commands.",
        [
            new("config|get", CommandId.ConfigGet, -3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous", "server", "Returns the effective values of configuration parameters.") { Route = ClusterRoute.Server, Reply = ReplyShape.Array },
            new("config|help", CommandId.ConfigHelp, 2, "loading stale", 0, 0, 0, "@slow", "server", "Returns helpful text about the different subcommands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
        ]) { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
        new("command", CommandId.Command, -1, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns detailed information about all commands.",
        [
            new("command|count", CommandId.CommandCount, 2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns a count of commands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Integer },
            new("command|docs", CommandId.CommandDocs, -2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns documentary information about one, multiple or all commands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
            new("command|info", CommandId.CommandInfo, -2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns information about one, multiple or all commands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
            new("command|list", CommandId.CommandList, -2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns a list of command names.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
            new("command|help", CommandId.CommandHelp, 2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns helpful text about the different subcommands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
        ]) { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
        new("function", CommandId.Function, -2, "", 0, 0, 0, "@slow", "scripting", "A container for function commands (no scripting exists: there are never any functions).",
        [
            new("function|flush", CommandId.FunctionFlush, -2, "write noscript", 0, 0, 0, "@write @slow @scripting", "scripting", "Deletes all libraries and functions.") { Route = ClusterRoute.Local, Reply = ReplyShape.Status },
            new("function|help", CommandId.FunctionHelp, 2, "loading stale", 0, 0, 0, "@slow @scripting", "scripting", "Returns helpful text about the different subcommands.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
        ]) { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
        new("quit", CommandId.Quit, -1, Connection, 0, 0, 0, "@fast @connection", "connection", "Closes the connection.") { Route = ClusterRoute.Local, Reply = ReplyShape.Status },
        new("role", CommandId.Role, 1, "noscript loading stale fast", 0, 0, 0, "@admin @fast @dangerous", "server", "Returns the replication role.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
        new("time", CommandId.Time, 1, "loading stale fast", 0, 0, 0, "@fast", "server", "Returns the server time.") { Route = ClusterRoute.Local, Reply = ReplyShape.Array },
        new("cluster", CommandId.Cluster, -2, "", 0, 0, 0, "@slow", "cluster", "A container for Redis Cluster commands (cluster mode is not supported).") { Route = ClusterRoute.Local, Reply = ReplyShape.Varies },
    ];

    /// <summary>Commands grouped by name length: dispatch compares only names of the request's length.</summary>
    private static readonly CommandInfo[][] ByLength = GroupByLength();

    /// <summary>GET's row: the hot path skips the lookup, yet records the command run (CLIENT LIST's cmd=).</summary>
    public static readonly CommandInfo GetCommand = Find("get"u8)!;

    /// <summary>SET's row, as <see cref="GetCommand"/>.</summary>
    public static readonly CommandInfo SetCommand = Find("set"u8)!;

    /// <summary>The command named <paramref name="name"/> (any case), or null.</summary>
    public static CommandInfo? Find(ReadOnlySpan<byte> name)
    {
        if ((uint)name.Length >= (uint)ByLength.Length)
        {
            return null;
        }
        foreach (CommandInfo command in ByLength[name.Length])
        {
            if (Ascii.EqualsIgnoreCase(name, command.Key))
            {
                return command;
            }
        }
        return null;
    }

    private static CommandInfo[][] GroupByLength()
    {
        int longest = All.Max(command => command.Key.Length);
        var groups = new CommandInfo[longest + 1][];
        for (int length = 0; length <= longest; length++)
        {
            groups[length] = All.Where(command => command.Key.Length == length).ToArray();
        }
        return groups;
    }
}
