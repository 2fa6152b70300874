using EchoCache.Engine;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>EXPIRE, TTL and their kin over RESP, on a manual clock.</summary>
public sealed class RespSessionExpiryTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    private long Now => _h.Clock.UnixMilliseconds;

    [Fact]
    public void Ttl_family_on_missing_persistent_and_expiring_keys()
    {
        Assert.Equal(Int(-2), _h.Send("TTL", "k"));
        Assert.Equal(Int(-2), _h.Send("PTTL", "k"));
        Assert.Equal(Int(-2), _h.Send("EXPIRETIME", "k"));
        Assert.Equal(Int(-2), _h.Send("PEXPIRETIME", "k"));
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
        Assert.Equal(Int(-1), _h.Send("PTTL", "k"));
        Assert.Equal(Int(-1), _h.Send("EXPIRETIME", "k"));
        Assert.Equal(Int(-1), _h.Send("PEXPIRETIME", "k"));
        _h.Send("PEXPIRE", "k", "10499");
        Assert.Equal(Int(10), _h.Send("TTL", "k")); // rounded to the nearest second, as Redis does
        _h.Send("PEXPIRE", "k", "10500");
        Assert.Equal(Int(11), _h.Send("TTL", "k"));
        Assert.Equal(Int(10500), _h.Send("PTTL", "k"));
        Assert.Equal(Int((Now + 10500) / 1000), _h.Send("EXPIRETIME", "k"));
        Assert.Equal(Int(Now + 10500), _h.Send("PEXPIRETIME", "k"));
        _h.Clock.Advance(10499);
        Assert.Equal(Int(1), _h.Send("PTTL", "k"));
        Assert.Equal(Int(0), _h.Send("TTL", "k"));
        _h.Clock.Advance(1);
        Assert.Equal(Int(-2), _h.Send("PTTL", "k"));
        Assert.Equal(Nil, _h.Send("GET", "k"));
    }

    [Fact]
    public void Expire_pexpire_expireat_pexpireat()
    {
        _h.Send("MSET", "a", "1", "b", "2", "c", "3", "d", "4");
        Assert.Equal(Int(1), _h.Send("EXPIRE", "a", "100"));
        Assert.Equal(Int(100_000), _h.Send("PTTL", "a"));
        Assert.Equal(Int(1), _h.Send("PEXPIRE", "b", "1500"));
        Assert.Equal(Int(1500), _h.Send("PTTL", "b"));
        Assert.Equal(Int(1), _h.Send("EXPIREAT", "c", ((Now / 1000) + 60).ToString()));
        Assert.Equal(Int((Now / 1000) + 60), _h.Send("EXPIRETIME", "c"));
        Assert.Equal(Int(1), _h.Send("PEXPIREAT", "d", (Now + 777).ToString()));
        Assert.Equal(Int(777), _h.Send("PTTL", "d"));
        Assert.Equal(Int(0), _h.Send("EXPIRE", "missing", "100"));
        Assert.Equal(Int(0), _h.Send("EXISTS", "missing"));
    }

    [Theory]
    [InlineData("EXPIRE", "0")]
    [InlineData("EXPIRE", "-10")]
    [InlineData("PEXPIRE", "-1")]
    [InlineData("EXPIREAT", "1")]
    [InlineData("PEXPIREAT", "0")]
    [InlineData("PEXPIREAT", "-9223372036854775808")]
    public void A_time_in_the_past_deletes_the_key_at_once(string command, string time)
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(1), _h.Send(command, "k", time));
        Assert.Equal(Int(0), _h.Send("DBSIZE"));
        Assert.Equal(Int(-2), _h.Send("TTL", "k"));
    }

    [Fact]
    public void Expire_options_nx_xx_gt_lt()
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "100", "XX")); // no expiry yet
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "100", "GT")); // no expiry is infinitely late
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
        Assert.Equal(Int(1), _h.Send("EXPIRE", "k", "100", "NX"));
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "200", "NX"));
        Assert.Equal(Int(100), _h.Send("TTL", "k"));
        Assert.Equal(Int(1), _h.Send("EXPIRE", "k", "200", "xx"));
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "150", "GT"));
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "200", "GT"));
        Assert.Equal(Int(1), _h.Send("EXPIRE", "k", "300", "GT"));
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "400", "LT"));
        Assert.Equal(Int(1), _h.Send("EXPIRE", "k", "50", "LT", "XX"));
        Assert.Equal(Int(50), _h.Send("TTL", "k"));
        Assert.Equal(Int(1), _h.Send("EXPIRE", "k", "60", "XX", "GT"));
        Assert.Equal(Int(60), _h.Send("TTL", "k"));

        _h.Send("SET", "p", "v");
        Assert.Equal(Int(1), _h.Send("EXPIRE", "p", "10", "LT")); // any time is earlier than none
        Assert.Equal(Int(10), _h.Send("TTL", "p"));
        _h.Send("SET", "q", "v");
        Assert.Equal(Int(0), _h.Send("EXPIRE", "q", "10", "LT", "XX"));
        Assert.Equal(Int(-1), _h.Send("TTL", "q"));
    }

    [Fact]
    public void Expire_errors()
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Err("ERR NX and XX, GT or LT options at the same time are not compatible"), _h.Send("EXPIRE", "k", "10", "NX", "XX"));
        Assert.Equal(Err("ERR NX and XX, GT or LT options at the same time are not compatible"), _h.Send("EXPIRE", "k", "10", "GT", "NX"));
        Assert.Equal(Err("ERR GT and LT options at the same time are not compatible"), _h.Send("PEXPIRE", "k", "10", "GT", "LT"));
        Assert.Equal(Err("ERR Unsupported option FOO"), _h.Send("EXPIRE", "k", "10", "FOO"));
        Assert.Equal(Err("ERR Unsupported option FOO"), _h.Send("EXPIRE", "k", "ten", "FOO")); // options first
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("EXPIRE", "k", "ten"));
        Assert.Equal(Err("ERR invalid expire time in 'expire' command"), _h.Send("EXPIRE", "k", "9223372036854776"));
        Assert.Equal(Err("ERR invalid expire time in 'pexpire' command"), _h.Send("PEXPIRE", "k", "9223372036854775807"));
        Assert.Equal(Err("ERR invalid expire time in 'expireat' command"), _h.Send("EXPIREAT", "k", "9223372036854776"));
        Assert.Equal(Err("ERR invalid expire time in 'expire' command"), _h.Send("EXPIRE", "k", "-9223372036854776"));
        Assert.Equal(Err("ERR invalid expire time in 'expire' command"), _h.Send("EXPIRE", "k", "9223370399119966")); // + now overflows
        Assert.Equal(Err("ERR invalid expire time in 'pexpire' command"), _h.Send("PEXPIRE", "k", "9223372036854770000"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
    }

    /// <summary>
    /// Redis keeps any time that fits 64 bits of milliseconds; the item header holds times up to 2054
    /// (EngineLimits.MaxExpiryUnixMs), so a later one is stored as that latest instant: the command succeeds and the
    /// key lives until then (Redis's own test: "PEXPIREAT with big integer works").
    /// </summary>
    [Theory]
    [InlineData("PEXPIREAT", "9223372036854770000")]
    [InlineData("PEXPIREAT", "9000000000000")]
    [InlineData("EXPIREAT", "9223372036854775")] // times 1000 still fits 64 bits
    [InlineData("EXPIREAT", "4102444800")] // 2100-01-01
    [InlineData("EXPIRE", "9223370399119")] // plus now still fits
    [InlineData("PEXPIRE", "9223370000000000000")]
    public void A_time_past_2054_is_stored_as_the_latest_the_header_holds(string command, string time)
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(1), _h.Send(command, "k", time));
        Assert.Equal(Int(EngineLimits.MaxExpiryUnixMs), _h.Send("PEXPIRETIME", "k"));
        Assert.Equal(Int(EngineLimits.MaxExpiryUnixMs - Now), _h.Send("PTTL", "k"));
        Assert.Equal(Bulk("v"), _h.Send("GET", "k"));
        Assert.Equal(Int(0), _h.Send("PEXPIREAT", "missing", time == "4102444800" ? "4102444800000" : "9000000000000"));
    }

    [Fact]
    public void Conditions_compare_the_stored_latest_instant()
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(1), _h.Send("PEXPIREAT", "k", "9000000000000"));
        Assert.Equal(Int(0), _h.Send("PEXPIREAT", "k", "9100000000000", "GT")); // both are the latest instant
        Assert.Equal(Int(1), _h.Send("PEXPIREAT", "k", (Now + 1000).ToString(), "LT"));
        Assert.Equal(Int(1), _h.Send("EXPIREAT", "k", "4102444800", "GT"));
        Assert.Equal(Int(EngineLimits.MaxExpiryUnixMs), _h.Send("PEXPIRETIME", "k"));
        Assert.Equal(Int(0), _h.Send("EXPIRE", "k", "100", "NX"));
    }

    [Fact]
    public void A_big_negative_absolute_time_deletes_the_key()
    {
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(1), _h.Send("PEXPIREAT", "k", "-9223372036854770000"));
        Assert.Equal(Int(-2), _h.Send("TTL", "k"));
    }

    [Fact]
    public void Persist_removes_an_expiry()
    {
        Assert.Equal(Int(0), _h.Send("PERSIST", "k"));
        _h.Send("SET", "k", "v");
        Assert.Equal(Int(0), _h.Send("PERSIST", "k"));
        _h.Send("EXPIRE", "k", "10");
        Assert.Equal(Int(1), _h.Send("PERSIST", "k"));
        Assert.Equal(Int(-1), _h.Send("TTL", "k"));
        _h.Clock.Advance(20_000);
        Assert.Equal(Bulk("v"), _h.Send("GET", "k"));
    }
}
