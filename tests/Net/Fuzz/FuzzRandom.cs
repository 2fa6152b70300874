namespace EchoCache.Tests.Net.Fuzz;

/// <summary>
/// A small deterministic generator (SplitMix64): the same seed gives the same inputs on every machine and runtime,
/// so a failing input can be reproduced from its seed and index alone.
/// </summary>
internal sealed class FuzzRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>True one time in <paramref name="n"/>.</summary>
    public bool OneIn(int n) => Next(n) == 0;

    public byte NextByte() => (byte)NextUInt64();

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
