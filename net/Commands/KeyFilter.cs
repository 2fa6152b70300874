namespace EchoCache.Net.Commands;

/// <summary>
/// Which keys of a worker a keyspace command (DBSIZE, KEYS, SCAN, RANDOMKEY) or a DIGEST counts, when the orchestrator asks
/// each replica pair for its own keys: those whose slot belongs to pair <see cref="Pair"/> of
/// <see cref="PairCount"/> (slot modulo the pair count). A worker holds the keys of two pairs with three workers or
/// more, so without the filter a key would be counted twice. The default admits every key.
/// </summary>
/// <remarks>On the wire (the COMMAND or DIGEST frame's item flags): bits 31..16 the pair, bits 15..0 the pair count; 0 = none.</remarks>
public readonly record struct KeyFilter(int Pair, int PairCount)
{
    /// <summary>Whether the filter admits every key.</summary>
    public bool AdmitsAll => PairCount <= 1;

    /// <summary>Whether <paramref name="key"/> belongs to the filter's pair.</summary>
    public bool Admits(ReadOnlySpan<byte> key) => AdmitsAll || KeySlot.Of(key) % PairCount == Pair;

    /// <summary>Whether the keys of <paramref name="slot"/> belong to the filter's pair.</summary>
    public bool AdmitsSlot(int slot) => AdmitsAll || slot % PairCount == Pair;

    /// <summary>The filter as the COMMAND frame's item flags carry it.</summary>
    public uint ToWire() => AdmitsAll ? 0 : ((uint)Pair << 16) | (uint)PairCount;

    /// <summary>The filter the item flags <paramref name="wire"/> carry.</summary>
    public static KeyFilter FromWire(uint wire) => new((int)(wire >> 16), (int)(wire & 0xFFFF));
}
