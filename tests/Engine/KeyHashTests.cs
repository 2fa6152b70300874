using System.Numerics;
using System.Text;
using EchoCache.Engine;

namespace EchoCache.Tests.Engine;

public sealed class KeyHashTests
{
    // Pinned: the hash also places keys in the cluster's slots, so it must never change between builds or machines.
    [Theory]
    [InlineData("", 0xA5506FF52926AC13UL)]
    [InlineData("a", 0x85CAA2533426BAADUL)]
    [InlineData("abc", 0x832AB5F97945BDBAUL)]
    [InlineData("abcd", 0xC0356DACA075FB7FUL)]
    [InlineData("hello", 0xDF35602B5EB6543CUL)]
    [InlineData("hello world!", 0xFA5A8198F71AE3B7UL)]
    [InlineData("0123456789abcdef", 0x87D21E07CD94A7CEUL)]
    [InlineData("0123456789abcdefg", 0x732CBEE9A088D1E1UL)]
    [InlineData("key:1", 0xFA30D9604FA8B9EEUL)]
    [InlineData("key:2", 0x355EF53E282E0837UL)]
    public void Known_values_are_stable(string key, ulong expected)
    {
        Assert.Equal(expected, KeyHash.Compute(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void Known_value_of_a_long_key_is_stable()
    {
        Assert.Equal(0x0670857FE95DC765UL, KeyHash.Compute(Encoding.UTF8.GetBytes(new string('k', 100))));
    }

    [Fact]
    public void Hash_depends_only_on_the_bytes_not_on_where_they_sit()
    {
        byte[] buffer = new byte[300];
        new Random(7).NextBytes(buffer);
        for (int length = 0; length <= 250; length++)
        {
            ulong expected = KeyHash.Compute(buffer.AsSpan(0, length));
            byte[] copy = buffer.AsSpan(0, length).ToArray();
            Assert.Equal(expected, KeyHash.Compute(copy));
            buffer.AsSpan(0, length).CopyTo(buffer.AsSpan(40));
            Assert.Equal(expected, KeyHash.Compute(buffer.AsSpan(40, length)));
            new Random(7).NextBytes(buffer);
        }
    }

    [Fact]
    public void Sequential_keys_spread_evenly_over_buckets_shards_and_tags()
    {
        const int keys = 1 << 20;
        const int buckets = 1 << 12;
        var bucketCounts = new int[buckets];
        var shardCounts = new int[16];
        var tagCounts = new int[256];
        var seen = new HashSet<ulong>();
        byte[] key = new byte[32];
        for (int i = 0; i < keys; i++)
        {
            int length = Encoding.ASCII.GetBytes($"user:{i}", key);
            ulong hash = KeyHash.Compute(key.AsSpan(0, length));
            Assert.True(seen.Add(hash), $"64-bit collision at key {i}");
            bucketCounts[hash & (buckets - 1)]++;
            shardCounts[hash >> 60]++;
            tagCounts[(byte)(hash >> 40)]++;
        }
        AssertUniform(bucketCounts, keys);
        AssertUniform(shardCounts, keys);
        AssertUniform(tagCounts, keys);
    }

    [Fact]
    public void Flipping_one_input_bit_flips_about_half_the_output_bits()
    {
        var random = new Random(11);
        foreach (int length in new[] { 1, 3, 4, 7, 8, 12, 16, 17, 31, 32, 33, 100, 250 })
        {
            long flipped = 0;
            int trials = 0;
            byte[] key = new byte[length];
            for (int round = 0; round < 64; round++)
            {
                random.NextBytes(key);
                ulong baseline = KeyHash.Compute(key);
                for (int bit = 0; bit < length * 8; bit++)
                {
                    key[bit >> 3] ^= (byte)(1 << (bit & 7));
                    flipped += BitOperations.PopCount(baseline ^ KeyHash.Compute(key));
                    key[bit >> 3] ^= (byte)(1 << (bit & 7));
                    trials++;
                }
            }
            double mean = (double)flipped / trials;
            Assert.InRange(mean, 30.0, 34.0);
        }
    }

    /// <summary>Chi-square test against a uniform spread, with a generous bound (about 5 standard deviations).</summary>
    private static void AssertUniform(int[] counts, int total)
    {
        double expected = (double)total / counts.Length;
        double chi = 0;
        foreach (int count in counts)
        {
            chi += (count - expected) * (count - expected) / expected;
        }
        int freedom = counts.Length - 1;
        Assert.True(chi < freedom + 5 * Math.Sqrt(2.0 * freedom) + 10, $"chi-square {chi:F1} for {freedom} degrees of freedom");
    }
}
