namespace EchoCache.Faults.Linearizability;

/// <summary>
/// The set of operations linearized so far on the current search path: a bitset, plus an incrementally
/// maintained Zobrist hash (one fixed random word per operation, XORed in and out) so the memo cache of
/// Lowe (2017) can be probed without rehashing the whole bitset at every step.
/// </summary>
internal sealed class OperationSet
{
    private readonly ulong[] _words;
    private readonly ulong[] _keys;

    /// <summary>An empty set over operations 0..<paramref name="count"/>-1.</summary>
    public OperationSet(int count)
    {
        _words = new ulong[(count + 63) / 64];
        _keys = new ulong[count];
        var random = new Random(20170401); // fixed: the search is deterministic
        for (int i = 0; i < count; i++)
        {
            _keys[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
        }
    }

    /// <summary>The hash of the current contents.</summary>
    public ulong Hash { get; private set; }

    /// <summary>The live contents, for probing the memo cache only (never keep it: it changes).</summary>
    public ulong[] Live => _words;

    /// <summary>Whether <paramref name="operation"/> is in the set.</summary>
    public bool Contains(int operation) => (_words[operation >> 6] & (1UL << (operation & 63))) != 0;

    /// <summary>Adds an operation that is not in the set.</summary>
    public void Add(int operation)
    {
        _words[operation >> 6] |= 1UL << (operation & 63);
        Hash ^= _keys[operation];
    }

    /// <summary>Removes an operation that is in the set.</summary>
    public void Remove(int operation)
    {
        _words[operation >> 6] &= ~(1UL << (operation & 63));
        Hash ^= _keys[operation];
    }

    /// <summary>A copy of the contents, to keep in the memo cache.</summary>
    public ulong[] Snapshot() => (ulong[])_words.Clone();
}
