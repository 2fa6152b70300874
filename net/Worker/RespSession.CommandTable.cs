using System.Text;

namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>
    /// Every command by name, for dispatch and for COMMAND. Lookup compares the request's name, ignoring case,
    /// only with the names of its length: no allocation, no hashing, a few short compares.
    /// </summary>
    private static class CommandTable
    {
        private const string ReadFast = "readonly fast";
        private const string WriteFast = "write denyoom fast";
        private const string Connection = "noscript loading stale fast no_auth allow_busy";

        /// <summary>All commands, in COMMAND's order; hot ones first within each length, for dispatch.</summary>
        public static readonly CommandInfo[] All =
        [
            new("get", CommandId.Get, 2, ReadFast, 1, 1, 1, "@read @string @fast", "string", "Returns the string value of a key."),
            new("set", CommandId.Set, -3, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."),
            new("del", CommandId.Del, -2, "write", 1, -1, 1, "@keyspace @write @slow", "generic", "Deletes one or more keys."),
            new("incr", CommandId.Incr, 2, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."),
            new("mget", CommandId.MGet, -2, ReadFast, 1, -1, 1, "@read @string @fast", "string", "Returns the string values of one or more keys."),
            new("mset", CommandId.MSet, -3, "write denyoom", 1, -1, 2, "@write @string @slow", "string", "Creates or modifies the string values of one or more keys (each pair its own write)."),
            new("setnx", CommandId.SetNx, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Set the string value of a key only when the key doesn't exist."),
            new("setex", CommandId.SetEx, 4, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."),
            new("psetex", CommandId.PSetEx, 4, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist."),
            new("getset", CommandId.GetSet, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Returns the previous string value of a key after setting it to a new value."),
            new("getdel", CommandId.GetDel, 2, "write fast", 1, 1, 1, "@write @string @fast", "string", "Returns the string value of a key after deleting the key."),
            new("getex", CommandId.GetEx, -2, "write fast", 1, 1, 1, "@write @string @fast", "string", "Returns the string value of a key after setting its expiration time."),
            new("msetnx", CommandId.MSetNx, -3, "write denyoom", 1, -1, 2, "@write @string @slow", "string", "Atomically modifies the string values of one or more keys only when all keys don't exist."),
            new("decr", CommandId.Decr, 2, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."),
            new("incrby", CommandId.IncrBy, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist."),
            new("decrby", CommandId.DecrBy, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist."),
            new("incrbyfloat", CommandId.IncrByFloat, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist."),
            new("append", CommandId.Append, 3, WriteFast, 1, 1, 1, "@write @string @fast", "string", "Appends a string to the value of a key. Creates the key if it doesn't exist."),
            new("strlen", CommandId.StrLen, 2, ReadFast, 1, 1, 1, "@read @string @fast", "string", "Returns the length of a string value."),
            new("getrange", CommandId.GetRange, 4, "readonly", 1, 1, 1, "@read @string @slow", "string", "Returns a substring of the string stored at a key."),
            new("setrange", CommandId.SetRange, 4, "write denyoom", 1, 1, 1, "@write @string @slow", "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist."),
            new("unlink", CommandId.Unlink, -2, "write fast", 1, -1, 1, "@keyspace @write @fast", "generic", "Asynchronously deletes one or more keys."),
            new("exists", CommandId.Exists, -2, ReadFast, 1, -1, 1, "@keyspace @read @fast", "generic", "Determines whether one or more keys exist."),
            new("touch", CommandId.Touch, -2, ReadFast, 1, -1, 1, "@keyspace @read @fast", "generic", "Returns the number of existing keys out of those specified after updating the time they were last accessed."),
            new("type", CommandId.Type, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Determines the type of value stored at a key."),
            new("rename", CommandId.Rename, 3, "write", 1, 2, 1, "@keyspace @write @slow", "generic", "Renames a key and overwrites the destination."),
            new("renamenx", CommandId.RenameNx, 3, "write fast", 1, 2, 1, "@keyspace @write @fast", "generic", "Renames a key only when the target key name doesn't exist."),
            new("copy", CommandId.Copy, -3, "write denyoom", 1, 2, 1, "@keyspace @write @slow", "generic", "Copies the value of a key to a new key."),
            new("keys", CommandId.Keys, 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous", "generic", "Returns all key names that match a pattern."),
            new("scan", CommandId.Scan, -2, "readonly", 0, 0, 0, "@keyspace @read @slow", "generic", "Iterates over the key names in the database."),
            new("randomkey", CommandId.RandomKey, 1, "readonly", 0, 0, 0, "@keyspace @read @slow", "generic", "Returns a random key name from the database."),
            new("expire", CommandId.Expire, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key in seconds."),
            new("pexpire", CommandId.PExpire, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key in milliseconds."),
            new("expireat", CommandId.ExpireAt, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key to a Unix timestamp."),
            new("pexpireat", CommandId.PExpireAt, -3, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp."),
            new("expiretime", CommandId.ExpireTime, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time of a key as a Unix timestamp."),
            new("pexpiretime", CommandId.PExpireTime, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp."),
            new("ttl", CommandId.Ttl, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time in seconds of a key."),
            new("pttl", CommandId.PTtl, 2, ReadFast, 1, 1, 1, "@keyspace @read @fast", "generic", "Returns the expiration time in milliseconds of a key."),
            new("persist", CommandId.Persist, 2, "write fast", 1, 1, 1, "@keyspace @write @fast", "generic", "Removes the expiration time of a key."),
            new("dbsize", CommandId.DbSize, 1, ReadFast, 0, 0, 0, "@keyspace @read @fast", "server", "Returns the number of keys in the database."),
            new("flushdb", CommandId.FlushDb, -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous", "server", "Remove all keys from the current database."),
            new("flushall", CommandId.FlushAll, -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous", "server", "Removes all keys from all databases."),
            new("select", CommandId.Select, 2, "loading stale fast", 0, 0, 0, "@keyspace @fast", "connection", "Changes the selected database."),
            new("ping", CommandId.Ping, -1, "fast", 0, 0, 0, "@fast @connection", "connection", "Returns the server's liveliness response."),
            new("echo", CommandId.Echo, 2, "fast", 0, 0, 0, "@fast @connection", "connection", "Returns the given string."),
            new("info", CommandId.Info, -1, "loading stale", 0, 0, 0, "@slow @dangerous", "server", "Returns information and statistics about the server."),
            new("hello", CommandId.Hello, -1, Connection, 0, 0, 0, "@fast @connection", "connection", "Handshakes with the Redis server."),
            new("auth", CommandId.Auth, -2, Connection, 0, 0, 0, "@fast @connection", "connection", "Authenticates the connection."),
            new("client", CommandId.Client, -2, "", 0, 0, 0, "@slow", "connection", "A container for client connection commands.",
            [
                new("client|setname", CommandId.ClientSetName, 3, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Sets the connection name."),
                new("client|getname", CommandId.ClientGetName, 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns the name of the connection."),
                new("client|id", CommandId.ClientId, 2, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns the unique client ID of the connection."),
                new("client|setinfo", CommandId.ClientSetInfo, 4, "noscript loading stale", 0, 0, 0, "@slow @connection", "connection", "Sets information specific to the client or connection."),
                new("client|help", CommandId.ClientHelp, 2, "loading stale", 0, 0, 0, "@slow @connection", "connection", "Returns helpful text about the different subcommands."),
            ]),
            new("config", CommandId.Config, -2, "", 0, 0, 0, "@slow", "server", "A container for server configuration commands.",
            [
                new("config|get", CommandId.ConfigGet, -3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous", "server", "Returns the effective values of configuration parameters."),
                new("config|help", CommandId.ConfigHelp, 2, "loading stale", 0, 0, 0, "@slow", "server", "Returns helpful text about the different subcommands."),
            ]),
            new("command", CommandId.Command, -1, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns detailed information about all commands.",
            [
                new("command|count", CommandId.CommandCount, 2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns a count of commands."),
                new("command|docs", CommandId.CommandDocs, -2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns documentary information about one, multiple or all commands."),
                new("command|info", CommandId.CommandInfo, -2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns information about one, multiple or all commands."),
                new("command|list", CommandId.CommandList, -2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns a list of command names."),
                new("command|help", CommandId.CommandHelp, 2, "loading stale", 0, 0, 0, "@slow @connection", "server", "Returns helpful text about the different subcommands."),
            ]),
            new("quit", CommandId.Quit, -1, Connection, 0, 0, 0, "@fast @connection", "connection", "Closes the connection."),
            new("role", CommandId.Role, 1, "noscript loading stale fast", 0, 0, 0, "@admin @fast @dangerous", "server", "Returns the replication role."),
            new("cluster", CommandId.Cluster, -2, "", 0, 0, 0, "@slow", "cluster", "A container for Redis Cluster commands (cluster mode is not supported)."),
        ];

        /// <summary>Commands grouped by name length: dispatch compares only names of the request's length.</summary>
        private static readonly CommandInfo[][] ByLength = GroupByLength();

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
}
