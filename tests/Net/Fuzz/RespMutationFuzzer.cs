using System.Text;

namespace EchoCache.Tests.Net.Fuzz;

/// <summary>Mutates RESP requests; its length corruption rewrites the number after a '*' or '$'.</summary>
internal sealed class RespMutationFuzzer(IEnumerable<byte[]> seeds, ulong seed) : MutationFuzzer(seeds, seed)
{
    private static readonly byte[][] Numbers = new[]
    {
        "", "0", "1", "2", "3", "-1", "-0", "00", "01", "+1", " 1", "1 ", "10", "11", "16384", "16385",
        "1048576", "1048577", "67108864", "67108865", "2147483647", "2147483648", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "99999999999999999999", "123456789012345678901", "abc", "1x", "-",
    }.Select(Encoding.ASCII.GetBytes).ToArray();

    private static readonly byte[] Interesting = "*$\r\n\0 \t\v\f\"'\\x0123456789-+:_,#%AZaz"u8.ToArray();

    protected override ReadOnlySpan<byte> InterestingBytes => Interesting;

    protected override ReadOnlySpan<byte> RandomInputPrefix() => Random.Next(3) switch
    {
        0 => "*"u8,
        1 => "*2\r\n$"u8,
        _ => default,
    };

    protected override void CorruptLength()
    {
        // Pick one '*' or '$', and replace the number after it.
        Span<byte> input = Input;
        int markers = 0;
        foreach (byte b in input)
        {
            markers += b is (byte)'*' or (byte)'$' ? 1 : 0;
        }
        if (markers == 0)
        {
            return;
        }
        int target = Random.Next(markers);
        int at = -1;
        for (int i = 0; i < input.Length; i++)
        {
            if (input[i] is (byte)'*' or (byte)'$' && target-- == 0)
            {
                at = i + 1;
                break;
            }
        }
        int end = at;
        while (end < input.Length && end - at < 25 && input[end] != (byte)'\r')
        {
            end++;
        }
        if (Random.OneIn(4))
        {
            Span<byte> digits = stackalloc byte[8];
            ((int)(Random.NextUInt64() % 100_000)).TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
            Replace(at, end - at, digits[..length]);
        }
        else
        {
            Replace(at, end - at, Random.Pick(Numbers));
        }
    }
}
