using System.Text;
using EchoCache.Engine;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>String commands over RESP: exact reply bytes, as Redis 7 answers them.</summary>
public sealed class RespSessionStringTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    private long Now => _h.Clock.UnixMilliseconds;

    [Fact]
    public void Get_and_set()
    {
        Assert.Equal(Nil, _h.Send("GET", "k"));
        Assert.Equal(Ok, _h.Send("SET", "k", "v"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "k"));
        Assert.Equal(Ok, _h.Send("SET", "k", ""));
        Assert.Equal(EmptyBulk, _h.Send("GET", "k"));
        Assert.Equal(Ok, _h.Send("SET", "k", "value\r\nwith\r\nCRLF"));
        Assert.Equal(Bulk("value\r\nwith\r\nCRLF"), _h.Send("GET", "k"));
    }

    [Fact]
    public void Binary_values_round_trip()
    {
        byte[] value = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(Ok, _h.Send([Encoding.ASCII.GetBytes("SET"), [0, 1, 2], value]));
        Assert.Equal(Bulk(Encoding.Latin1.GetString(value)), _h.Send([Encoding.ASCII.GetBytes("GET"), [0, 1, 2]]));
    }

    [Fact]
    public void Large_values_stored_compressed_come_back_whole()
    {
        string value = string.Concat(Enumerable.Repeat("compressible text ", 5000)); // 90 KB, over the 4 KiB threshold
        Assert.Equal(Ok, _h.Send("SET", "big", value));
        Assert.Equal(Bulk(value), _h.Send("GET", "big"));
        Assert.Equal(Int(value.Length), _h.Send("STRLEN", "big"));
        Assert.Equal(Bulk("text compressible"), _h.Send("GETRANGE", "big", "13", "29"));
        Assert.Equal(Bulk(value), _h.Send("GETSET", "big", "small"));
        Assert.Equal("*2\r\n" + Bulk("small") + Nil, _h.Send("MGET", "big", "none"));
        Assert.Equal(Int(value.Length + 5), _h.Send("APPEND", "x", value + "12345"));
        Assert.Equal(Bulk(value + "12345"), _h.Send("GETDEL", "x"));
    }

    [Fact]
    public void Values_too_large_for_an_item_are_refused()
    {
        byte[] random = new byte[2 << 20];
        new Random(7).NextBytes(random); // incompressible: cannot fit the 1 MiB item limit
        Assert.Equal(Err("ERR value too large: an item must fit in 1 MiB after compression"),
            _h.Send([Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes("k"), random]));
        Assert.Equal(Nil, _h.Send("GET", "k"));
    }

    [Fact]
    public void Keys_the_engine_cannot_hold_get_an_error_on_writes_and_nothing_on_reads()
    {
        string longKey = new('k', 251);
        Assert.Equal(Err("ERR key longer than 250 bytes"), _h.Send("SET", longKey, "v"));
        Assert.Equal(Err("ERR empty keys are not supported"), _h.Send("SET", "", "v"));
        Assert.Equal(Err("ERR key longer than 250 bytes"), _h.Send("INCR", longKey));
        Assert.Equal(Nil, _h.Send("GET", longKey));
        Assert.Equal(Int(0), _h.Send("EXISTS", longKey, ""));
        Assert.Equal(Int(0), _h.Send("DEL", longKey));
        Assert.Equal(Ok, _h.Send("SET", new string('k', 250), "v"));
        Assert.Equal(Err("ERR key longer than 250 bytes"), _h.Send("MSET", "a", "1", longKey, "2"));
        Assert.Equal(Int(0), _h.Send("EXISTS", "a")); // MSET checks every key before writing any
    }

    [Fact]
    public void Set_nx_and_xx()
    {
        Assert.Equal(Nil, _h.Send("SET", "k", "v", "XX"));
        Assert.Equal(Ok, _h.Send("SET", "k", "v1", "NX"));
        Assert.Equal(Nil, _h.Send("SET", "k", "v2", "NX"));
        Assert.Equal(Ok, _h.Send("SET", "k", "v3", "xx"));
        Assert.Equal(Bulk("v3"), _h.Send("GET", "k"));
        Assert.Equal(Bulk("v3"), _h.Send("SET", "k", "v4", "XX", "xx", "GET")); // an option may repeat
        Assert.Equal(Bulk("v4"), _h.Send("GET", "k"));
    }

    [Fact]
    public void Set_get_returns_the_old_value_whether_or_not_the_condition_held()
    {
        Assert.Equal(Nil, _h.Send("SET", "k", "v1", "GET"));
        Assert.Equal(Bulk("v1"), _h.Send("SET", "k", "v2", "GET"));
        Assert.Equal(Bulk("v2"), _h.Send("SET", "k", "v3", "NX", "GET")); // not set, old value shown
        Assert.Equal(Bulk("v2"), _h.Send("GET", "k"));
        Assert.Equal(Nil, _h.Send("SET", "other", "x", "XX", "GET"));
        Assert.Equal(Nil, _h.Send("GET", "other"));
        Assert.Equal(Nil, _h.Send("SET", "new", "x", "NX", "GET"));
        Assert.Equal(Bulk("x"), _h.Send("GET", "new"));
    }

    [Fact]
    public void Set_expiry_options()
    {
        Assert.Equal(Ok, _h.Send("SET", "ex", "v", "EX", "10"));
        Assert.Equal(Int(10_000), _h.Send("PTTL", "ex"));
        Assert.Equal(Ok, _h.Send("SET", "px", "v", "PX", "1500"));
        Assert.Equal(Int(1500), _h.Send("PTTL", "px"));
        Assert.Equal(Ok, _h.Send("SET", "exat", "v", "EXAT", ((Now / 1000) + 100).ToString()));
        Assert.Equal(Int((Now / 1000) + 100), _h.Send("EXPIRETIME", "exat"));
        Assert.Equal(Ok, _h.Send("SET", "pxat", "v", "PXAT", (Now + 1234).ToString()));
        Assert.Equal(Int(Now + 1234), _h.Send("PEXPIRETIME", "pxat"));
        Assert.Equal(Ok, _h.Send("SET", "ex", "v", "EX", "5", "EX", "7")); // the same option may repeat
        Assert.Equal(Int(7000), _h.Send("PTTL", "ex"));

        _h.Clock.Advance(1500);
        Assert.Equal(Nil, _h.Send("GET", "px"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "ex"));

        Assert.Equal(Ok, _h.Send("SET", "past", "v", "PXAT", "1"));
        Assert.Equal(Nil, _h.Send("GET", "past"));
    }

    [Fact]
    public void Set_keepttl_keeps_the_expiry_and_a_plain_set_clears_it()
    {
        _h.Send("SET", "k", "v", "EX", "100");
        Assert.Equal(Ok, _h.Send("SET", "k", "v2", "KEEPTTL"));
        Assert.Equal(Int(100), _h.Send("TTL", "k"));
        Assert.Equal(Ok, _h.Send("SET", "k", "v3"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
    }

    [Theory]
    [InlineData("NX", "XX")]
    [InlineData("XX", "NX")]
    [InlineData("EX", "10", "PX", "100")]
    [InlineData("PX", "10", "EXAT", "100")]
    [InlineData("EXAT", "10", "PXAT", "100")]
    [InlineData("EX", "10", "KEEPTTL")]
    [InlineData("KEEPTTL", "EX", "10")]
    [InlineData("EX")]
    [InlineData("PXAT")]
    [InlineData("PERSIST")]
    [InlineData("FOO")]
    [InlineData("NX", "BAR")]
    public void Set_with_invalid_option_combinations_is_a_syntax_error(params string[] options)
    {
        Assert.Equal(Err("ERR syntax error"), _h.Send(["SET", "k", "v", .. options]));
        Assert.Equal(Nil, _h.Send("GET", "k"));
    }

    [Theory]
    [InlineData("EX", "0")]
    [InlineData("EX", "-1")]
    [InlineData("PX", "0")]
    [InlineData("EXAT", "0")]
    [InlineData("PXAT", "-5")]
    [InlineData("EX", "9223372036854776")] // overflows in milliseconds
    [InlineData("EX", "10000000000000000")]
    [InlineData("EX", "-9999999999999999")]
    [InlineData("PX", "9223372036854770000")] // overflows once now is added
    [InlineData("EXAT", "9223372036854776")]
    public void Set_with_an_invalid_expire_time(string option, string value)
    {
        Assert.Equal(Err("ERR invalid expire time in 'set' command"), _h.Send("SET", "k", "v", option, value));
        Assert.Equal(Nil, _h.Send("GETEX", "k", option, value)); // Redis looks the key up before the time
        _h.Send("SET", "k", "v");
        Assert.Equal(Err("ERR invalid expire time in 'getex' command"), _h.Send("GETEX", "k", option, value));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
    }

    /// <summary>
    /// A time Redis accepts but the item header cannot hold (past 2054, EngineLimits.MaxExpiryUnixMs) is stored as the
    /// latest instant it holds, for SET, GETEX, SETEX and PSETEX alike.
    /// </summary>
    [Theory]
    [InlineData("EX", "4000000000")]
    [InlineData("PX", "9223370000000000000")]
    [InlineData("EXAT", "4102444800")]
    [InlineData("EXAT", "9223372036854775")]
    [InlineData("PXAT", "9000000000000")]
    [InlineData("PXAT", "9223372036854775807")]
    public void Set_with_a_time_past_2054_stores_the_latest_the_header_holds(string option, string value)
    {
        Assert.Equal(Ok, _h.Send("SET", "k", "v", option, value));
        Assert.Equal(Int(EngineLimits.MaxExpiryUnixMs), _h.Send("PEXPIRETIME", "k"));
        _h.Send("PERSIST", "k");
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", option, value));
        Assert.Equal(Int(EngineLimits.MaxExpiryUnixMs), _h.Send("PEXPIRETIME", "k"));
        if (option is "EX" or "PX")
        {
            Assert.Equal(Ok, _h.Send(option == "EX" ? "SETEX" : "PSETEX", "s", value, "v"));
            Assert.Equal(Int(EngineLimits.MaxExpiryUnixMs), _h.Send("PEXPIRETIME", "s"));
        }
    }

    [Fact]
    public void Set_with_a_non_integer_expire_time()
    {
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("SET", "k", "v", "EX", "ten"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("SET", "k", "v", "PX", "1.5"));
    }

    [Fact]
    public void Setnx_setex_psetex()
    {
        Assert.Equal(Int(1), _h.Send("SETNX", "k", "v"));
        Assert.Equal(Int(0), _h.Send("SETNX", "k", "w"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "k"));
        Assert.Equal(Ok, _h.Send("SETEX", "k", "10", "x"));
        Assert.Equal(Int(10), _h.Send("TTL", "k"));
        Assert.Equal(Bulk("x"), _h.Send("GET", "k"));
        Assert.Equal(Ok, _h.Send("PSETEX", "k", "2500", "y"));
        Assert.Equal(Int(2500), _h.Send("PTTL", "k"));
        Assert.Equal(Err("ERR invalid expire time in 'setex' command"), _h.Send("SETEX", "k", "0", "x"));
        Assert.Equal(Err("ERR invalid expire time in 'psetex' command"), _h.Send("PSETEX", "k", "-10", "x"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("SETEX", "k", "ten", "x"));
    }

    [Fact]
    public void Getset_and_getdel()
    {
        Assert.Equal(Nil, _h.Send("GETSET", "k", "a"));
        _h.Send("EXPIRE", "k", "100");
        Assert.Equal(Bulk("a"), _h.Send("GETSET", "k", "b"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k")); // GETSET clears the expiry, as SET does
        Assert.Equal(Bulk("b"), _h.Send("GETDEL", "k"));
        Assert.Equal(Nil, _h.Send("GETDEL", "k"));
        Assert.Equal(Int(0), _h.Send("EXISTS", "k"));
    }

    [Fact]
    public void Getex_sets_or_removes_the_expiry()
    {
        Assert.Equal(Nil, _h.Send("GETEX", "k", "EX", "10"));
        _h.Send("SET", "k", "v");
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", "EX", "10"));
        Assert.Equal(Int(10), _h.Send("TTL", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", "PX", "500"));
        Assert.Equal(Int(500), _h.Send("PTTL", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", "EXAT", ((Now / 1000) + 50).ToString()));
        Assert.Equal(Int((Now / 1000) + 50), _h.Send("EXPIRETIME", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", "PXAT", (Now + 700).ToString()));
        Assert.Equal(Int(700), _h.Send("PTTL", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", "PERSIST"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GETEX", "k", "PXAT", (Now - 1).ToString())); // in the past: deleted
        Assert.Equal(Int(0), _h.Send("EXISTS", "k"));
        Assert.Equal(Int(0), _h.Send("DBSIZE"));
    }

    [Fact]
    public void Getex_errors()
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Err("ERR syntax error"), _h.Send("GETEX", "k", "NX"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("GETEX", "k", "KEEPTTL"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("GETEX", "k", "EX", "10", "PERSIST"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("GETEX", "k", "PERSIST", "EX", "10"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("GETEX", "k", "EX"));
        Assert.Equal(Err("ERR invalid expire time in 'getex' command"), _h.Send("GETEX", "k", "EX", "0"));
        Assert.Equal(Nil, _h.Send("GETEX", "missing", "EX", "0")); // the key is looked up before the time is read
        Assert.Equal(Nil, _h.Send("GETEX", "missing", "PX", "x"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("GETEX", "missing", "EX")); // but after the syntax
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("GETEX", "k", "PX", "x"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
    }

    [Fact]
    public void Mget_mset_msetnx()
    {
        Assert.Equal(Ok, _h.Send("MSET", "a", "1", "b", "2"));
        Assert.Equal("*3\r\n" + Bulk("1") + Nil + Bulk("2"), _h.Send("MGET", "a", "x", "b"));
        Assert.Equal(Int(0), _h.Send("MSETNX", "c", "3", "a", "9"));
        Assert.Equal(Nil, _h.Send("GET", "c"));
        Assert.Equal(Int(1), _h.Send("MSETNX", "c", "3", "d", "4"));
        Assert.Equal("*2\r\n" + Bulk("3") + Bulk("4"), _h.Send("MGET", "c", "d"));
        Assert.Equal(Err("ERR wrong number of arguments for 'mset' command"), _h.Send("MSET", "a", "1", "b"));
        Assert.Equal(Err("ERR wrong number of arguments for 'msetnx' command"), _h.Send("MSETNX", "a", "1", "b"));
        Assert.Equal(Ok, _h.Send("MSET", "a", "x", "a", "y"));
        Assert.Equal(Bulk("y"), _h.Send("GET", "a"));
    }

    [Fact]
    public void Counters()
    {
        Assert.Equal(Int(1), _h.Send("INCR", "n"));
        Assert.Equal(Int(0), _h.Send("DECR", "n"));
        Assert.Equal(Int(10), _h.Send("INCRBY", "n", "10"));
        Assert.Equal(Int(7), _h.Send("DECRBY", "n", "3"));
        Assert.Equal(Int(-3), _h.Send("INCRBY", "n", "-10"));
        Assert.Equal(Bulk("-3"), _h.Send("GET", "n"));
        _h.Send("SET", "n", "41", "EX", "100");
        Assert.Equal(Int(42), _h.Send("INCR", "n"));
        Assert.Equal(Int(100), _h.Send("TTL", "n")); // counters keep the expiry
    }

    [Fact]
    public void Counter_errors()
    {
        _h.Send("SET", "s", "abc");
        _h.Send("SET", "space", " 1");
        _h.Send("SET", "max", "9223372036854775807");
        _h.Send("SET", "min", "-9223372036854775808");
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("INCR", "s"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("INCR", "space"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("INCRBY", "n", "1.5"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("INCRBY", "n", "+1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("INCRBY", "n", "9223372036854775808"));
        Assert.Equal(Err("ERR increment or decrement would overflow"), _h.Send("INCR", "max"));
        Assert.Equal(Err("ERR increment or decrement would overflow"), _h.Send("DECR", "min"));
        Assert.Equal(Err("ERR increment or decrement would overflow"), _h.Send("DECRBY", "min", "1"));
        Assert.Equal(Err("ERR decrement would overflow"), _h.Send("DECRBY", "n", "-9223372036854775808"));
        Assert.Equal(Int(long.MinValue), _h.Send("INCRBY", "n", "-9223372036854775808"));
        Assert.Equal(Bulk("9223372036854775807"), _h.Send("GET", "max"));
    }

    [Theory]
    [InlineData(null, "1", "1")]
    [InlineData(null, "0.25", "0.25")]
    [InlineData("10.50", "0.1", "10.6")]
    [InlineData("1.5", "1.5", "3")]
    [InlineData("5.0e3", "2.0e2", "5200")]
    [InlineData("17179869184", "1.5", "17179869185.5")]
    [InlineData("17179869184", "17179869184", "34359738368")]
    [InlineData("1", "-1.1", "-0.1")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData("3", "-3", "0")]
    [InlineData("0.024390243902439025", "-0.024390243902439025", "0")]
    [InlineData("1", ".5", "1.5")]
    [InlineData("+1", "5.", "6")]
    [InlineData("0.1", "0.00000000000000000001", "0.1")]
    // The cases below were checked against Redis 7.0.15 on x86-64: long double rounding shows through.
    [InlineData("1000.1", "0.1", "1000.19999999999999996")]
    [InlineData("123456.789", "0.001", "123456.78999999999999915")]
    [InlineData("1e15", "0.3", "1000000000000000.29998779296875")]
    [InlineData("1e10", "1e-10", "10000000000")]
    [InlineData("1e30", "1", "1000000000000000000024696061952")]
    [InlineData("0x1p3", "0x.8", "8.5")]
    [InlineData("0X1.8P1", "0", "3")]
    [InlineData("1e-4940", "0", "0")]
    [InlineData("-0.000000000000000004", "0", "0")]
    [InlineData("-0.000000000000000006", "0", "-0.00000000000000001")]
    public void Incrbyfloat_formats_as_redis(string? initial, string increment, string expected)
    {
        if (initial != null)
        {
            _h.Send("SET", "f", initial);
        }
        Assert.Equal(Bulk(expected), _h.Send("INCRBYFLOAT", "f", increment));
        Assert.Equal(Bulk(expected), _h.Send("GET", "f"));
    }

    [Fact]
    public void Incrbyfloat_errors_and_expiry()
    {
        _h.Send("SET", "s", "abc");
        _h.Send("SET", "left", "    11");
        _h.Send("SET", "right", "11    ");
        _h.Send("SET", "zero", "0");
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "s", "1"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "left", "1"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "right", "1"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "abc"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "nan"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", ""));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", " 1"));
        Assert.Equal(Err("ERR increment would produce NaN or Infinity"), _h.Send("INCRBYFLOAT", "zero", "+inf"));
        Assert.Equal(Err("ERR increment would produce NaN or Infinity"), _h.Send("INCRBYFLOAT", "zero", "-Infinity"));
        _h.Send("SET", "huge", "1e4932");
        Assert.Equal(Err("ERR increment would produce NaN or Infinity"), _h.Send("INCRBYFLOAT", "huge", "1e4932"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "1e5000")); // overflows
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "1e-5000")); // underflows to 0
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "0x"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "1e"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", "1.5.5"));
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "zero", new string('1', 5120)));
        Assert.Equal(Bulk("0"), _h.Send("GET", "zero"));
        _h.Send("SETRANGE", "nul", "0", "1");
        _h.Send("SETRANGE", "nul", "2", "2"); // "1\02": a NUL ends the number for strtold, so Redis refuses it
        Assert.Equal(Err("ERR value is not a valid float"), _h.Send("INCRBYFLOAT", "nul", "1"));

        _h.Send("SET", "t", "1", "EX", "100");
        Assert.Equal(Bulk("2.5"), _h.Send("INCRBYFLOAT", "t", "1.5"));
        Assert.Equal(Int(100), _h.Send("TTL", "t"));
    }

    [Fact]
    public void Append_and_strlen()
    {
        Assert.Equal(Int(0), _h.Send("STRLEN", "k"));
        Assert.Equal(Int(5), _h.Send("APPEND", "k", "hello"));
        Assert.Equal(Int(11), _h.Send("APPEND", "k", " world"));
        Assert.Equal(Int(11), _h.Send("APPEND", "k", ""));
        Assert.Equal(Bulk("hello world"), _h.Send("GET", "k"));
        Assert.Equal(Int(11), _h.Send("STRLEN", "k"));
        _h.Send("EXPIRE", "k", "100");
        _h.Send("APPEND", "k", "!");
        Assert.Equal(Int(100), _h.Send("TTL", "k"));
    }

    [Fact]
    public void Getrange_uses_redis_index_rules()
    {
        _h.Send("SET", "k", "This is a string");
        Assert.Equal(Bulk("This"), _h.Send("GETRANGE", "k", "0", "3"));
        Assert.Equal(Bulk("ing"), _h.Send("GETRANGE", "k", "-3", "-1"));
        Assert.Equal(Bulk("This is a string"), _h.Send("GETRANGE", "k", "0", "-1"));
        Assert.Equal(Bulk("string"), _h.Send("GETRANGE", "k", "10", "100"));
        Assert.Equal(Bulk("This is a string"), _h.Send("GETRANGE", "k", "-100", "100"));
        Assert.Equal(EmptyBulk, _h.Send("GETRANGE", "k", "5", "3"));
        Assert.Equal(EmptyBulk, _h.Send("GETRANGE", "k", "-1", "-5"));
        Assert.Equal(EmptyBulk, _h.Send("GETRANGE", "k", "100", "200"));
        Assert.Equal(Bulk("T"), _h.Send("GETRANGE", "k", "-100", "-100"));
        Assert.Equal(EmptyBulk, _h.Send("GETRANGE", "missing", "0", "-1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("GETRANGE", "k", "a", "1"));
        _h.Send("SET", "empty", "");
        Assert.Equal(EmptyBulk, _h.Send("GETRANGE", "empty", "0", "-1"));
    }

    [Fact]
    public void Setrange_overwrites_and_pads_with_zero_bytes()
    {
        _h.Send("SET", "k", "Hello World");
        Assert.Equal(Int(11), _h.Send("SETRANGE", "k", "6", "Redis"));
        Assert.Equal(Bulk("Hello Redis"), _h.Send("GET", "k"));
        Assert.Equal(Int(13), _h.Send("SETRANGE", "k", "11", "!!"));
        Assert.Equal(Bulk("Hello Redis!!"), _h.Send("GET", "k"));
        Assert.Equal(Int(6), _h.Send("SETRANGE", "pad", "3", "abc"));
        Assert.Equal(Bulk("\0\0\0abc"), _h.Send("GET", "pad"));
        Assert.Equal(Int(13), _h.Send("SETRANGE", "k", "100", ""));
        Assert.Equal(Int(0), _h.Send("SETRANGE", "none", "5", ""));
        Assert.Equal(Int(0), _h.Send("EXISTS", "none"));
        Assert.Equal(Err("ERR offset is out of range"), _h.Send("SETRANGE", "k", "-1", "x"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("SETRANGE", "k", "x", "x"));
        Assert.Equal(Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"), _h.Send("SETRANGE", "k", "67108864", "x"));
        Assert.Equal(Int(1_000_001), _h.Send("SETRANGE", "zeros", "1000000", "x")); // compresses into one item
        Assert.Equal(Bulk("\0x"), _h.Send("GETRANGE", "zeros", "999999", "-1"));
    }
}
