using System.Text;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>SETBIT, GETBIT and BITCOUNT over RESP: Redis 7.0's replies, limits and error texts.</summary>
public sealed class RespSessionBitmapTests : IDisposable
{
    private readonly RespSessionHarness _h = new();

    public void Dispose() => _h.Dispose();

    private const string BadOffset = "ERR bit offset is not an integer or out of range";
    private const string BadBit = "ERR bit is not an integer or out of range";

    /// <summary>A value given as Redis's tests write it: bits, most significant first (Tcl's binary format B*).</summary>
    private static string Bits(string bits)
    {
        var bytes = new byte[(bits.Length + 7) / 8];
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i] == '1') bytes[i / 8] |= (byte)(0x80 >> (i % 8));
        }
        return Encoding.Latin1.GetString(bytes);
    }

    [Fact]
    public void Setbit_on_a_missing_key_creates_it_padded_with_zero_bytes()
    {
        Assert.Equal(Int(0), _h.Send("SETBIT", "k", "1", "1"));
        Assert.Equal(Bulk(Bits("01000000")), _h.Send("GET", "k"));
        Assert.Equal(Int(0), _h.Send("SETBIT", "far", "23", "0"));
        Assert.Equal(Bulk("\0\0\0"), _h.Send("GET", "far")); // clearing a bit still creates the bytes up to it
    }

    [Fact]
    public void Setbit_answers_the_old_bit_and_changes_only_that_bit()
    {
        _h.Send("SET", "k", "@"); // 01000000
        Assert.Equal(Int(0), _h.Send("SETBIT", "k", "2", "1"));
        Assert.Equal(Bulk(Bits("01100000")), _h.Send("GET", "k"));
        Assert.Equal(Int(1), _h.Send("SETBIT", "k", "1", "0"));
        Assert.Equal(Bulk(Bits("00100000")), _h.Send("GET", "k"));
        Assert.Equal(Int(1), _h.Send("SETBIT", "k", "2", "1")); // already set: unchanged
        Assert.Equal(Int(0), _h.Send("SETBIT", "k", "0", "0")); // already clear: unchanged
        Assert.Equal(Bulk(Bits("00100000")), _h.Send("GET", "k"));
        Assert.Equal(Int(0), _h.Send("SETBIT", "k", "15", "1")); // grows by a byte
        Assert.Equal(Bulk(Bits("0010000000000001")), _h.Send("GET", "k"));
        _h.Send("SET", "n", "1"); // "1" is 00110001
        Assert.Equal(Int(0), _h.Send("SETBIT", "n", "6", "1"));
        Assert.Equal(Bulk(Bits("00110011")), _h.Send("GET", "n"));
        Assert.Equal(Int(4), _h.Send("INCR", "n")); // 00110011 is "3"
    }

    [Fact]
    public void Setbit_keeps_the_expiry()
    {
        _h.Send("SET", "k", "a", "PX", "5000");
        _h.Send("SETBIT", "k", "100", "1");
        Assert.Equal(Int(5000), _h.Send("PTTL", "k"));
        _h.Clock.Advance(5000);
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "100"));
    }

    [Fact]
    public void Setbit_matches_a_model_bit_for_bit()
    {
        var random = new Random(11);
        var model = new byte[256];
        int length = 0;
        for (int i = 0; i < 2000; i++)
        {
            int bit = random.Next(model.Length * 8);
            bool on = random.Next(2) == 1;
            int mask = 0x80 >> (bit % 8);
            bool was = (model[bit / 8] & mask) != 0;
            model[bit / 8] = (byte)(on ? model[bit / 8] | mask : model[bit / 8] & ~mask);
            length = Math.Max(length, (bit / 8) + 1);
            Assert.Equal(Int(was ? 1 : 0), _h.Send("SETBIT", "k", bit.ToString(), on ? "1" : "0"));
        }
        Assert.Equal(Bulk(Encoding.Latin1.GetString(model, 0, length)), _h.Send("GET", "k"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("4294967296")] // Redis's own test: 2^32 bits is 512 MB, past proto-max-bulk-len
    [InlineData("536870912")] // 2^29 bits: the first whose byte passes the 64 MiB bulk cap
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("9223372036854775808")]
    public void A_bit_offset_out_of_range_is_refused(string offset)
    {
        Assert.Equal(Err(BadOffset), _h.Send("SETBIT", "k", offset, "1"));
        Assert.Equal(Err(BadOffset), _h.Send("GETBIT", "k", offset));
        Assert.Equal(Int(0), _h.Send("EXISTS", "k"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2")]
    [InlineData("10")]
    [InlineData("20")]
    [InlineData("one")]
    [InlineData("")]
    public void A_bit_other_than_0_or_1_is_refused(string bit)
    {
        Assert.Equal(Err(BadBit), _h.Send("SETBIT", "k", "0", bit));
        Assert.Equal(Int(0), _h.Send("EXISTS", "k"));
        Assert.Equal(Err(BadOffset), _h.Send("SETBIT", "k", "-1", bit)); // the offset is checked first
    }

    [Fact]
    public void Setbit_at_the_last_offset_makes_a_64_mib_value_that_compresses_into_an_item()
    {
        Assert.Equal(Int(0), _h.Send("SETBIT", "k", "536870911", "1"));
        Assert.Equal(Int(64 << 20), _h.Send("STRLEN", "k"));
        Assert.Equal(Int(1), _h.Send("GETBIT", "k", "536870911"));
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "536870910"));
        Assert.Equal(Int(1), _h.Send("BITCOUNT", "k"));
        Assert.Equal(Int(1), _h.Send("BITCOUNT", "k", "-1", "-1"));
    }

    [Fact]
    public void Setbit_that_would_outgrow_an_item_is_refused_and_changes_nothing()
    {
        byte[] random = new byte[1_046_000];
        new Random(3).NextBytes(random); // incompressible: it fits an item as it is, but not with more behind it
        Assert.Equal(Ok, _h.Send([Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes("k"), random]));
        Assert.Equal(Err("ERR value too large: an item must fit in 1 MiB after compression"),
            _h.Send("SETBIT", "k", (2L << 23).ToString(), "1"));
        Assert.Equal(Int(random.Length), _h.Send("STRLEN", "k"));
    }

    [Fact]
    public void Setbit_on_keys_the_engine_cannot_hold()
    {
        Assert.Equal(Err("ERR key longer than 250 bytes"), _h.Send("SETBIT", new string('k', 251), "0", "1"));
        Assert.Equal(Err("ERR empty keys are not supported"), _h.Send("SETBIT", "", "0", "1"));
        Assert.Equal(Int(0), _h.Send("GETBIT", new string('k', 251), "0"));
    }

    [Fact]
    public void Getbit_reads_bits_and_zero_past_the_end_or_without_a_key()
    {
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "0"));
        _h.Send("SET", "k", "`"); // 01100000
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "0"));
        Assert.Equal(Int(1), _h.Send("GETBIT", "k", "1"));
        Assert.Equal(Int(1), _h.Send("GETBIT", "k", "2"));
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "3"));
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "8"));
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "10000"));
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "536870911"));
    }

    [Fact]
    public void Bits_of_compressed_values_read_and_write_like_plain_ones()
    {
        byte[] value = [.. Enumerable.Range(0, 10_000).Select(i => (byte)(i % 2 == 0 ? 0xFF : 0))]; // over the 4 KiB threshold
        Assert.Equal(Ok, _h.Send([Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes("k"), value]));
        Assert.Equal(Int(1), _h.Send("GETBIT", "k", "8007"));
        Assert.Equal(Int(0), _h.Send("GETBIT", "k", "8008"));
        Assert.Equal(Int(40000), _h.Send("BITCOUNT", "k"));
        Assert.Equal(Int(1), _h.Send("SETBIT", "k", "8007", "0"));
        Assert.Equal(Int(39999), _h.Send("BITCOUNT", "k"));
        Assert.Equal(Int(4), _h.Send("BITCOUNT", "k", "8000", "8003", "BIT"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "1000", "1001", "BIT"));
    }

    [Fact]
    public void Bitcount_counts_the_whole_value_or_a_byte_range()
    {
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k"));
        _h.Send("SET", "k", "foobar");
        Assert.Equal(Int(26), _h.Send("BITCOUNT", "k"));
        Assert.Equal(Int(4), _h.Send("BITCOUNT", "k", "0", "0"));
        Assert.Equal(Int(6), _h.Send("BITCOUNT", "k", "1", "1"));
        Assert.Equal(Int(6), _h.Send("BITCOUNT", "k", "1", "1", "byte"));
        Assert.Equal(Int(26), _h.Send("BITCOUNT", "k", "0", "-1"));
        Assert.Equal(Int(26), _h.Send("BITCOUNT", "k", "-100", "100"));
        Assert.Equal(Int(4), _h.Send("BITCOUNT", "k", "-1", "-1")); // 'r'
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "-1", "-2"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "3", "2"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "6", "10"));
        Assert.Equal(Int(26), _h.Send("BITCOUNT", "k", "-9223372036854775808", "9223372036854775807"));
        _h.Send("SET", "e", "");
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "e"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "e", "0", "0", "BIT"));
    }

    [Fact]
    public void Bitcount_in_bits_masks_the_edge_bytes()
    {
        _h.Send("SET", "k", "foobar");
        Assert.Equal(Int(17), _h.Send("BITCOUNT", "k", "5", "30", "BIT"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "0", "0", "BIT"));
        Assert.Equal(Int(1), _h.Send("BITCOUNT", "k", "1", "1", "bit"));
        Assert.Equal(Int(26), _h.Send("BITCOUNT", "k", "0", "-1", "BIT"));
        Assert.Equal(Int(1), _h.Send("BITCOUNT", "k", "-4", "-1", "BIT")); // 'r' is 01110010
        Assert.Equal(Int(2), _h.Send("BITCOUNT", "k", "-8", "-6", "BIT"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "-1", "-2", "BIT"));
    }

    [Fact]
    public void Bitcount_errors_come_only_for_an_existing_key()
    {
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "0"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "a", "b"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "0", "1", "WORD"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "0", "1", "BIT", "x"));
        _h.Send("SET", "k", "foobar");
        Assert.Equal(Err("ERR syntax error"), _h.Send("BITCOUNT", "k", "0"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("BITCOUNT", "k", "a", "1"));
        Assert.Equal(Err("ERR value is not an integer or out of range"), _h.Send("BITCOUNT", "k", "0", "1.5"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("BITCOUNT", "k", "0", "1", "WORD"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("BITCOUNT", "k", "0", "1", "BIT", "x"));
        Assert.Equal(Int(0), _h.Send("BITCOUNT", "k", "-1", "-2", "WORD")); // a backwards negative range wins
        Assert.Equal(Err("ERR wrong number of arguments for 'bitcount' command"), _h.Send("BITCOUNT"));
    }

    [Fact]
    public void Arity_errors()
    {
        Assert.Equal(Err("ERR wrong number of arguments for 'setbit' command"), _h.Send("SETBIT", "k", "0"));
        Assert.Equal(Err("ERR wrong number of arguments for 'setbit' command"), _h.Send("SETBIT", "k", "0", "1", "1"));
        Assert.Equal(Err("ERR wrong number of arguments for 'getbit' command"), _h.Send("GETBIT", "k"));
        Assert.Equal(Err("ERR wrong number of arguments for 'getbit' command"), _h.Send("GETBIT", "k", "0", "1"));
    }
}
