namespace EchoCache.Load;

/// <summary>
/// xorshift64* : a few instructions per number, no allocation, one instance per thread or connection (not
/// thread-safe). Plenty for choosing keys and operations; not for anything that needs real randomness.
/// </summary>
internal struct FastRandom
{
    private ulong _state;

    public FastRandom(ulong seed) => _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>A number from 0 to <paramref name="bound"/> − 1 (multiply-shift, no division).</summary>
    public int NextBelow(int bound) => (int)(((Next() >> 32) * (ulong)(uint)bound) >> 32);
}
