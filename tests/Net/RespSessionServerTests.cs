using System.Globalization;
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
}
