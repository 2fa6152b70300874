using System.Text;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>LCS over RESP: Redis 7.0's subsequence, runs, reply shapes (RESP2 and RESP3) and errors.</summary>
public sealed class RespSessionLcsTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    // Redis's own test strings (tests/unit/type/string.tcl) and the subsequence Redis finds.
    private const string Rna1 = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
    private const string Rna2 = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
    private const string RnaLcs = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

    /// <summary>IDX's reply: "matches", the runs ([a start, a end], [b start, b end], length with WITHMATCHLEN), "len".</summary>
    private static string Idx(int length, bool withLength, bool resp3, params int[][] runs)
    {
        var reply = new StringBuilder(resp3 ? "%2\r\n" : "*4\r\n");
        reply.Append(Bulk("matches")).Append($"*{runs.Length}\r\n");
        foreach (int[] run in runs)
        {
            reply.Append(withLength ? "*3\r\n" : "*2\r\n");
            reply.Append("*2\r\n").Append(Int(run[0])).Append(Int(run[1]));
            reply.Append("*2\r\n").Append(Int(run[2])).Append(Int(run[3]));
            if (withLength)
            {
                reply.Append(Int(run[1] - run[0] + 1));
            }
        }
        return reply.Append(Bulk("len")).Append(Int(length)).ToString();
    }

    [Fact]
    public void Redis_own_test_strings()
    {
        _h.Send("SET", "virus1{t}", Rna1);
        _h.Send("SET", "virus2{t}", Rna2);
        Assert.Equal(Bulk(RnaLcs), _h.Send("LCS", "virus1{t}", "virus2{t}"));
        Assert.Equal(Int(RnaLcs.Length), _h.Send("LCS", "virus1{t}", "virus2{t}", "LEN"));
        int[][] runs = [[238, 238, 239, 239], [236, 236, 238, 238], [229, 230, 236, 237], [224, 224, 235, 235], [1, 222, 13, 234]];
        Assert.Equal(Idx(227, false, false, runs), _h.Send("LCS", "virus1{t}", "virus2{t}", "IDX"));
        Assert.Equal(Idx(227, true, false, runs), _h.Send("LCS", "virus1{t}", "virus2{t}", "IDX", "WITHMATCHLEN"));
        Assert.Equal(Idx(227, true, false, [1, 222, 13, 234]),
            _h.Send("LCS", "virus1{t}", "virus2{t}", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "5"));
    }

    [Fact]
    public void The_documented_example()
    {
        _h.Send("SET", "key1", "ohmytext");
        _h.Send("SET", "key2", "mynewtext");
        Assert.Equal(Bulk("mytext"), _h.Send("LCS", "key1", "key2"));
        Assert.Equal(Int(6), _h.Send("lcs", "key1", "key2", "len"));
        Assert.Equal(Idx(6, false, false, [4, 7, 5, 8], [2, 3, 0, 1]), _h.Send("LCS", "key1", "key2", "IDX"));
        Assert.Equal(Idx(6, true, false, [4, 7, 5, 8]), _h.Send("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"));
        Assert.Equal(Idx(6, false, false, [4, 7, 5, 8], [2, 3, 0, 1]), _h.Send("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-3"));
        Assert.Equal(Idx(6, false, false), _h.Send("LCS", "key1", "key2", "MINMATCHLEN", "5", "IDX"));
        Assert.Equal(Bulk("mytext"), _h.Send("LCS", "key1", "key2", "WITHMATCHLEN", "MINMATCHLEN", "2")); // no IDX: no runs
        Assert.Equal(Int(6), _h.Send("LCS", "key1", "key2", "LEN", "LEN"));
    }

    [Fact]
    public void Idx_is_a_map_in_resp3()
    {
        _h.Send("SET", "key1", "ohmytext");
        _h.Send("SET", "key2", "mynewtext");
        _h.Send("HELLO", "3");
        Assert.Equal(Idx(6, true, true, [4, 7, 5, 8], [2, 3, 0, 1]), _h.Send("LCS", "key1", "key2", "IDX", "WITHMATCHLEN"));
        Assert.Equal(Bulk("mytext"), _h.Send("LCS", "key1", "key2"));
    }

    [Fact]
    public void Missing_keys_are_empty_strings()
    {
        _h.Send("SET", "a", "hello");
        Assert.Equal(EmptyBulk, _h.Send("LCS", "a", "missing"));
        Assert.Equal(EmptyBulk, _h.Send("LCS", "missing", "other"));
        Assert.Equal(Int(0), _h.Send("LCS", "missing", "a", "LEN"));
        Assert.Equal(Idx(0, false, false), _h.Send("LCS", "missing", "a", "IDX"));
        Assert.Equal(Bulk("hello"), _h.Send("LCS", "a", "a"));
        Assert.Equal(Idx(5, true, false, [0, 4, 0, 4]), _h.Send("LCS", "a", "a", "IDX", "WITHMATCHLEN"));
        _h.Send("SET", "b", "xyz");
        Assert.Equal(EmptyBulk, _h.Send("LCS", "a", "b"));
        Assert.Equal(Idx(0, false, false), _h.Send("LCS", "a", "b", "IDX"));
    }

    [Fact]
    public void Compressed_values_compare_as_their_plain_text()
    {
        string a = string.Concat(Enumerable.Repeat("abcde", 1000)); // 5 KB: stored compressed
        _h.Send("SET", "a", a);
        _h.Send("SET", "b", "xxbdyy");
        Assert.Equal(Bulk("bd"), _h.Send("LCS", "a", "b"));
        Assert.Equal(Int(2), _h.Send("LCS", "b", "a", "LEN"));
    }

    [Fact]
    public void Errors()
    {
        _h.Send("SET", "a", "hello");
        _h.Send("SET", "b", "world");
        Assert.Equal(Err("ERR If you want both the length and indexes, please just use IDX."), _h.Send("LCS", "a", "b", "LEN", "IDX"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("LCS", "a", "b", "FOO"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("LCS", "a", "b", "IDX", "MINMATCHLEN"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("LCS", "a", "b", "MINMATCHLEN", "x"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("LCS", "a", "b", "FOO", "LEN", "IDX")); // options in order
        Assert.Equal(Err("ERR wrong number of arguments for 'lcs' command"), _h.Send("LCS", "a"));
    }

    [Fact]
    public void A_table_past_the_bulk_cap_is_refused()
    {
        _h.Send("SET", "a", new string('a', 4095));
        _h.Send("SET", "b", new string('b', 4095));
        Assert.Equal(Int(0), _h.Send("LCS", "a", "b", "LEN")); // 4096 x 4096 cells of 4 bytes: exactly 64 MiB
        _h.Send("SET", "b", new string('b', 4096));
        Assert.Equal(Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"), _h.Send("LCS", "a", "b"));
    }
}
