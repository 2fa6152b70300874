namespace EchoCache.Faults.Linearizability;

/// <summary>Compares the value-id tuples of <see cref="RegisterModel"/>'s group states by content.</summary>
internal sealed class TupleComparer : IEqualityComparer<int[]>
{
    /// <summary>The one instance.</summary>
    public static TupleComparer Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(int[]? x, int[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    /// <inheritdoc/>
    public int GetHashCode(int[] obj)
    {
        var hash = new HashCode();
        foreach (int value in obj)
        {
            hash.Add(value);
        }
        return hash.ToHashCode();
    }
}
