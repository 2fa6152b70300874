namespace EchoCache.Faults.Linearizability;

/// <summary>
/// A search configuration already explored: which operations were linearized and the register's state
/// after them. Lowe (2017): if the search reaches a configuration it has seen, everything reachable from it
/// has been explored already, so it can backtrack at once. Porcupine keeps the same (bitset, state) cache.
/// </summary>
internal readonly struct Configuration : IEquatable<Configuration>
{
    private readonly ulong[] _words;

    /// <summary>A configuration over <paramref name="words"/>, which it keeps (a probe may pass the live set's words).</summary>
    public Configuration(ulong[] words, ulong hash, int state)
    {
        _words = words;
        Hash = hash;
        State = state;
    }

    /// <summary>The Zobrist hash of the linearized set.</summary>
    public ulong Hash { get; }

    /// <summary>The register's state (a value id of <see cref="RegisterModel"/>).</summary>
    public int State { get; }

    /// <inheritdoc/>
    public bool Equals(Configuration other) =>
        Hash == other.Hash && State == other.State && _words.AsSpan().SequenceEqual(other._words);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Configuration other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Hash, State);
}
