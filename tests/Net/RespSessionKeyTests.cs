using System.Globalization;
using System.Text.RegularExpressions;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>Keyspace commands over RESP.</summary>
public sealed partial class RespSessionKeyTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Del_unlink_exists_touch_and_type()
    {
        _h.Send("MSET", "a", "1", "b", "2", "c", "3");
        Assert.Equal(Int(3), _h.Send("EXISTS", "a", "a", "b", "x")); // a repeated key counts each time
        Assert.Equal(Int(2), _h.Send("TOUCH", "a", "x", "c"));
        Assert.Equal("+string\r\n", _h.Send("TYPE", "a"));
        Assert.Equal("+none\r\n", _h.Send("TYPE", "x"));
        Assert.Equal(Int(2), _h.Send("DEL", "a", "b", "x", "a"));
        Assert.Equal(Int(1), _h.Send("UNLINK", "c"));
        Assert.Equal(Int(0), _h.Send("EXISTS", "a", "b", "c"));
    }

    [Fact]
    public void Rename_and_renamenx()
    {
        _h.Send("SET", "src", "v", "EX", "100");
        _h.Send("SET", "other", "o");
        Assert.Equal(Err("ERR no such key"), _h.Send("RENAME", "missing", "x"));
        Assert.Equal(Err("ERR no such key"), _h.Send("RENAMENX", "missing", "x"));
        Assert.Equal(Ok, _h.Send("RENAME", "src", "dst"));
        Assert.Equal(Nil, _h.Send("GET", "src"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "dst"));
        Assert.Equal(Int(100), _h.Send("TTL", "dst")); // the expiry moves with the value
        Assert.Equal(Int(0), _h.Send("RENAMENX", "dst", "other"));
        Assert.Equal(Bulk("o"), _h.Send("GET", "other"));
        Assert.Equal(Ok, _h.Send("RENAME", "dst", "other"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "other"));
        Assert.Equal(Int(1), _h.Send("RENAMENX", "other", "fresh"));
        Assert.Equal(Ok, _h.Send("RENAME", "fresh", "fresh"));
        Assert.Equal(Int(0), _h.Send("RENAMENX", "fresh", "fresh"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "fresh"));
        Assert.Equal(Err("ERR key longer than 250 bytes"), _h.Send("RENAME", "fresh", new string('k', 300)));
    }

    [Fact]
    public void Copy_with_replace_and_db()
    {
        _h.Send("SET", "src", "v", "PX", "5000");
        _h.Send("SET", "taken", "t");
        Assert.Equal(Int(1), _h.Send("COPY", "src", "dst"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "dst"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "src"));
        Assert.Equal(Int(5000), _h.Send("PTTL", "dst"));
        Assert.Equal(Int(0), _h.Send("COPY", "src", "taken"));
        Assert.Equal(Bulk("t"), _h.Send("GET", "taken"));
        Assert.Equal(Int(1), _h.Send("COPY", "src", "taken", "REPLACE"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "taken"));
        Assert.Equal(Int(0), _h.Send("COPY", "missing", "x"));
        Assert.Equal(Int(1), _h.Send("COPY", "src", "db0", "DB", "0"));
        Assert.Equal(Err("ERR DB index is out of range"), _h.Send("COPY", "src", "x", "DB", "1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("COPY", "src", "x", "DB", "one"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("COPY", "src", "x", "DB"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("COPY", "src", "x", "FORCE"));
        Assert.Equal(Err("ERR source and destination objects are the same"), _h.Send("COPY", "src", "src"));
    }

    [Fact]
    public void Keys_matches_glob_patterns()
    {
        _h.Send("MSET", "user:1", "a", "user:2", "b", "user:10", "c", "order:1", "d");
        Assert.Equal(["order:1", "user:1", "user:10", "user:2"], Sorted(_h.Send("KEYS", "*")));
        Assert.Equal(["user:1", "user:10", "user:2"], Sorted(_h.Send("KEYS", "user:*")));
        Assert.Equal(["user:1", "user:2"], Sorted(_h.Send("KEYS", "user:?")));
        Assert.Equal(["order:1", "user:1"], Sorted(_h.Send("KEYS", "*:1")));
        Assert.Equal(["user:1", "user:2"], Sorted(_h.Send("KEYS", "user:[12]")));
        Assert.Equal(EmptyArray, _h.Send("KEYS", "nothing*"));
        _h.Send("SET", "gone", "x", "PX", "10");
        _h.Clock.Advance(10);
        Assert.DoesNotContain("gone", Sorted(_h.Send("KEYS", "*")));
    }

    [Fact]
    public void Scan_visits_every_key_once_the_cursor_returns_to_zero()
    {
        var expected = new HashSet<string>();
        for (int i = 0; i < 1000; i++)
        {
            _h.Send("SET", $"key:{i}", "v");
            expected.Add($"key:{i}");
        }
        var seen = new HashSet<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            (cursor, string[] keys) = ParseScan(_h.Send("SCAN", cursor, "COUNT", "50"));
            seen.UnionWith(keys);
            calls++;
        }
        while (cursor != "0");
        Assert.Equal(expected, seen);
        Assert.InRange(calls, 2, 1000);
    }

    [Fact]
    public void Scan_with_match_and_type()
    {
        for (int i = 0; i < 100; i++)
        {
            _h.Send("SET", i % 2 == 0 ? $"even:{i}" : $"odd:{i}", "v");
        }
        Assert.Equal(50, ScanAll("MATCH", "even:*").Count);
        Assert.Equal(100, ScanAll("TYPE", "string").Count);
        Assert.Empty(ScanAll("TYPE", "list"));
        Assert.Equal(["odd:11"], ScanAll("MATCH", "odd:11", "COUNT", "1000"));
    }

    [Fact]
    public void Scan_errors()
    {
        Assert.Equal(Err("ERR invalid cursor"), _h.Send("SCAN", "abc"));
        Assert.Equal(Err("ERR invalid cursor"), _h.Send("SCAN", "-1"));
        Assert.Equal(Err("ERR invalid cursor"), _h.Send("SCAN", "18446744073709551615")); // no cursor of ours
        Assert.Equal(Err("ERR syntax error"), _h.Send("SCAN", "0", "COUNT", "0"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("SCAN", "0", "COUNT", "many"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("SCAN", "0", "MATCH"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("SCAN", "0", "LIMIT", "5"));
        Assert.Equal("*2\r\n" + Bulk("0") + EmptyArray, _h.Send("SCAN", "0"));
    }

    [Fact]
    public void Randomkey_dbsize_and_flush()
    {
        Assert.Equal(Nil, _h.Send("RANDOMKEY"));
        Assert.Equal(Int(0), _h.Send("DBSIZE"));
        _h.Send("MSET", "a", "1", "b", "2");
        Assert.Contains(_h.Send("RANDOMKEY"), new[] { Bulk("a"), Bulk("b") });
        Assert.Equal(Int(2), _h.Send("DBSIZE"));
        Assert.Equal(Ok, _h.Send("FLUSHDB"));
        Assert.Equal(Int(0), _h.Send("DBSIZE"));
        _h.Send("SET", "a", "1");
        Assert.Equal(Ok, _h.Send("FLUSHALL", "ASYNC"));
        Assert.Equal(Ok, _h.Send("FLUSHDB", "sync"));
        Assert.Equal(Int(0), _h.Send("DBSIZE"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("FLUSHALL", "NOW"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("FLUSHDB", "ASYNC", "SYNC"));
    }

    private List<string> ScanAll(params string[] options)
    {
        var all = new List<string>();
        string cursor = "0";
        do
        {
            (cursor, string[] keys) = ParseScan(_h.Send(["SCAN", cursor, .. options]));
            all.AddRange(keys);
        }
        while (cursor != "0");
        return all;
    }

    private static (string Cursor, string[] Keys) ParseScan(string reply)
    {
        Match match = ScanReply().Match(reply);
        Assert.True(match.Success, reply);
        string[] keys = Elements(match.Groups["keys"].Value);
        Assert.Equal(int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture), keys.Length);
        return (match.Groups["cursor"].Value, keys);
    }

    private static string[] Sorted(string arrayReply)
    {
        Match match = ArrayReply().Match(arrayReply);
        Assert.True(match.Success, arrayReply);
        string[] keys = Elements(match.Groups["keys"].Value);
        Assert.Equal(int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture), keys.Length);
        return [.. keys.Order(StringComparer.Ordinal)];
    }

    private static string[] Elements(string bulks) =>
        [.. BulkElement().Matches(bulks).Select(m => m.Groups["v"].Value)];

    [GeneratedRegex(@"^\*2\r\n\$\d+\r\n(?<cursor>\d+)\r\n\*(?<count>\d+)\r\n(?<keys>.*)$", RegexOptions.Singleline)]
    private static partial Regex ScanReply();

    [GeneratedRegex(@"^\*(?<count>\d+)\r\n(?<keys>.*)$", RegexOptions.Singleline)]
    private static partial Regex ArrayReply();

    [GeneratedRegex(@"\$\d+\r\n(?<v>[^\r]*)\r\n")]
    private static partial Regex BulkElement();
}
