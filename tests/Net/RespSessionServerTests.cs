using System.Globalization;
using System.Text.RegularExpressions;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>INFO, CONFIG GET and COMMAND: what redis-cli, redis-benchmark and client libraries probe.</summary>
public sealed class RespSessionServerTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>The text of a bulk-string reply.</summary>
    private static string BulkText(string reply)
    {
        int header = reply.IndexOf("\r\n", StringComparison.Ordinal);
        int length = int.Parse(reply.AsSpan(1, header - 1), CultureInfo.InvariantCulture);
        Assert.Equal(header + 2 + length + 2, reply.Length);
        return reply.Substring(header + 2, length);
    }

    [Fact]
    public void Info_has_every_section_with_redis_field_names()
    {
        _h.Send("SET", "a", "1", "EX", "100");
        _h.Send("SET", "b", "2");
        _h.Send("GET", "a");
        _h.Send("GET", "missing");
        string reply = _h.Send("INFO");
        Assert.StartsWith("$", reply, StringComparison.Ordinal);
        string text = BulkText(reply);
        Assert.StartsWith("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\n", text, StringComparison.Ordinal);
        foreach (string section in new[] { "# Clients\r\n", "# Memory\r\n", "# Stats\r\n", "# Replication\r\n", "# Keyspace\r\n" })
        {
            Assert.Contains("\r\n\r\n" + section, text, StringComparison.Ordinal);
        }
        Assert.Matches(@"\r\nrun_id:[0-9a-f]{40}\r\n", text);
        Assert.Matches(@"\r\nused_memory:\d+\r\n", text);
        Assert.Contains("\r\nmaxmemory:16777216\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nmaxmemory_human:16.00M\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nconnected_clients:0\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nkeyspace_hits:1\r\nkeyspace_misses:1\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nrole:master\r\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\r\ntotal_commands_processed:\d+\r\n", text);
        Assert.EndsWith("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_sections_can_be_chosen()
    {
        Assert.StartsWith("# Stats\r\ntotal_commands_processed:", BulkText(_h.Send("INFO", "stats")), StringComparison.Ordinal);
        Assert.Equal("# Keyspace\r\n", BulkText(_h.Send("INFO", "keyspace")));
        Assert.Equal("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n", BulkText(_h.Send("info", "REPLICATION")));
        string two = BulkText(_h.Send("INFO", "clients", "replication"));
        Assert.StartsWith("# Clients\r\n", two, StringComparison.Ordinal);
        Assert.Contains("\r\n\r\n# Replication\r\n", two, StringComparison.Ordinal);
        Assert.Equal(EmptyBulk, _h.Send("INFO", "nosuchsection"));
        Assert.Contains("# Memory", BulkText(_h.Send("INFO", "everything")), StringComparison.Ordinal);
    }

    [Fact]
    public void Info_in_resp3_is_a_verbatim_string()
    {
        _h.Send("HELLO", "3");
        string text = "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n";
        Assert.Equal($"={text.Length + 4}\r\ntxt:{text}\r\n", _h.Send("INFO", "replication"));
    }

    [Fact]
    public void Config_get_answers_what_clients_probe()
    {
        Assert.Equal(BulkArray("save", ""), _h.Send("CONFIG", "GET", "save"));
        Assert.Equal(BulkArray("appendonly", "no"), _h.Send("CONFIG", "GET", "appendonly"));
        Assert.Equal(BulkArray("DATABASES", "1"), _h.Send("config", "get", "DATABASES")); // an exact name comes back as asked
        Assert.Equal(BulkArray("timeout", "0"), _h.Send("CONFIG", "GET", "timeout"));
        Assert.Equal(BulkArray("slave-read-only", "yes"), _h.Send("CONFIG", "GET", "slave-read-only"));
        Assert.Equal(BulkArray("maxmemory", "16777216", "maxmemory-policy", "allkeys-lru"), _h.Send("CONFIG", "GET", "maxmemory*"));
        Assert.Equal(BulkArray("save", "", "appendonly", "no"), _h.Send("CONFIG", "GET", "appendonly", "save", "sav?"));
        Assert.Equal(EmptyArray, _h.Send("CONFIG", "GET", "nosuchparameter"));
        Assert.StartsWith("*20\r\n", _h.Send("CONFIG", "GET", "*"), StringComparison.Ordinal);
    }

    [Fact]
    public void Config_get_in_resp3_is_a_map()
    {
        _h.Send("HELLO", "3");
        Assert.Equal("%0\r\n", _h.Send("CONFIG", "GET", "nosuchparameter"));
        Assert.Equal("%2\r\n" + Bulk("save") + EmptyBulk + Bulk("appendonly") + Bulk("no"), _h.Send("CONFIG", "GET", "save", "appendonly"));
    }

    [Fact]
    public void Command_count_list_and_info()
    {
        string count = _h.Send("COMMAND", "COUNT");
        Assert.Matches(@"^:\d+\r\n$", count);
        int n = int.Parse(count.AsSpan(1, count.Length - 3), CultureInfo.InvariantCulture);
        Assert.StartsWith($"*{n}\r\n", _h.Send("COMMAND", "LIST"), StringComparison.Ordinal);
        Assert.StartsWith($"*{n}\r\n*10\r\n" + Bulk("get") + Int(2), _h.Send("COMMAND"), StringComparison.Ordinal);
        Assert.Equal("*2\r\n*10\r\n" + Bulk("get") + Int(2) + "*2\r\n+readonly\r\n+fast\r\n" + Int(1) + Int(1) + Int(1)
            + "*3\r\n+@read\r\n+@string\r\n+@fast\r\n" + EmptyArray + EmptyArray + EmptyArray + Nil,
            _h.Send("COMMAND", "INFO", "get", "nosuch"));
        Assert.StartsWith("*1\r\n*10\r\n" + Bulk("client|setname") + Int(3), _h.Send("COMMAND", "INFO", "client|setname"), StringComparison.Ordinal);
        Assert.Contains(Bulk("client|id"), _h.Send("COMMAND", "INFO", "CLIENT"), StringComparison.Ordinal);
        Assert.Equal(Err("ERR syntax error"), _h.Send("COMMAND", "LIST", "FILTERBY", "MODULE", "x"));
    }

    [Fact]
    public void Command_info_in_resp3_uses_sets()
    {
        _h.Send("HELLO", "3");
        Assert.StartsWith("*1\r\n*10\r\n" + Bulk("mset") + Int(-3) + "~2\r\n+write\r\n+denyoom\r\n" + Int(1) + Int(-1) + Int(2),
            _h.Send("COMMAND", "INFO", "mset"), StringComparison.Ordinal);
    }

    [Fact]
    public void Command_docs_answers_summary_since_and_group()
    {
        Assert.Equal("*2\r\n" + Bulk("get") + "*6\r\n" + Bulk("summary") + Bulk("Returns the string value of a key.")
            + Bulk("since") + Bulk("1.0.0") + Bulk("group") + Bulk("string"), _h.Send("COMMAND", "DOCS", "get", "nosuch"));
        string all = _h.Send("COMMAND", "DOCS");
        string count = _h.Send("COMMAND", "COUNT");
        Assert.StartsWith($"*{2 * int.Parse(count.AsSpan(1, count.Length - 3), CultureInfo.InvariantCulture)}\r\n", all, StringComparison.Ordinal);
        _h.Send("HELLO", "3");
        Assert.StartsWith("%1\r\n" + Bulk("client") + "%4\r\n", _h.Send("COMMAND", "DOCS", "client"), StringComparison.Ordinal);
    }

    [Fact]
    public void Time_is_the_wall_clock_in_seconds_and_microseconds()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        string reply = _h.Send("TIME");
        long after = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1) * 1000;
        Match parts = Regex.Match(reply, @"^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$");
        Assert.True(parts.Success, reply);
        long seconds = long.Parse(parts.Groups[1].Value, CultureInfo.InvariantCulture);
        long micros = long.Parse(parts.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(micros, 0, 999_999);
        Assert.InRange((seconds * 1_000_000) + micros, before, after);
        _h.Send("HELLO", "3");
        Assert.StartsWith("*2\r\n$", _h.Send("TIME"), StringComparison.Ordinal); // an array in RESP3 too
        Assert.Equal(Err("ERR wrong number of arguments for 'time' command"), _h.Send("TIME", "now"));
    }

    [Fact]
    public void Function_flush_succeeds_with_nothing_to_flush()
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Ok, _h.Send("FUNCTION", "FLUSH"));
        Assert.Equal(Ok, _h.Send("function", "flush", "async"));
        Assert.Equal(Ok, _h.Send("FUNCTION", "FLUSH", "SYNC"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "k")); // keys are not functions
        Assert.Equal(Err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"), _h.Send("FUNCTION", "FLUSH", "LAZY"));
        Assert.Equal(Err("ERR unknown subcommand or wrong number of arguments for 'Flush'. Try FUNCTION HELP."),
            _h.Send("FUNCTION", "Flush", "SYNC", "extra"));
        Assert.Equal(Err("ERR unknown subcommand 'LOAD'. Try FUNCTION HELP."), _h.Send("FUNCTION", "LOAD", "code"));
        Assert.Equal(Err("ERR wrong number of arguments for 'function' command"), _h.Send("FUNCTION"));
        Assert.Equal(Err("ERR wrong number of arguments for 'function|help' command"), _h.Send("FUNCTION", "HELP", "x"));
        string help = _h.Send("FUNCTION", "HELP");
        Assert.StartsWith("*5\r\n+FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+FLUSH [ASYNC|SYNC]\r\n", help, StringComparison.Ordinal);
        Assert.StartsWith("*1\r\n*10\r\n" + Bulk("function|flush") + Int(-2) + "*2\r\n+write\r\n+noscript\r\n",
            _h.Send("COMMAND", "INFO", "function|flush"), StringComparison.Ordinal);
    }

    [Fact]
    public void New_commands_are_in_the_table_with_redis_key_positions()
    {
        Assert.Equal("*1\r\n*10\r\n" + Bulk("lcs") + Int(-3) + "*1\r\n+readonly\r\n" + Int(1) + Int(2) + Int(1)
            + "*3\r\n+@read\r\n+@string\r\n+@slow\r\n" + EmptyArray + EmptyArray + EmptyArray, _h.Send("COMMAND", "INFO", "lcs"));
        Assert.Equal("*1\r\n*10\r\n" + Bulk("setbit") + Int(4) + "*2\r\n+write\r\n+denyoom\r\n" + Int(1) + Int(1) + Int(1)
            + "*3\r\n+@write\r\n+@bitmap\r\n+@slow\r\n" + EmptyArray + EmptyArray + EmptyArray, _h.Send("COMMAND", "INFO", "setbit"));
        Assert.StartsWith("*1\r\n*10\r\n" + Bulk("getbit") + Int(3) + "*2\r\n+readonly\r\n+fast\r\n", _h.Send("COMMAND", "INFO", "getbit"), StringComparison.Ordinal);
        Assert.StartsWith("*1\r\n*10\r\n" + Bulk("bitcount") + Int(-2) + "*1\r\n+readonly\r\n", _h.Send("COMMAND", "INFO", "bitcount"), StringComparison.Ordinal);
        Assert.Equal("*1\r\n*10\r\n" + Bulk("time") + Int(1) + "*3\r\n+loading\r\n+stale\r\n+fast\r\n" + Int(0) + Int(0) + Int(0)
            + "*1\r\n+@fast\r\n" + EmptyArray + EmptyArray + EmptyArray, _h.Send("COMMAND", "INFO", "time"));
    }
}
