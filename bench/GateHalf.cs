namespace EchoCache.Bench;

/// <summary>What one <c>bench/gate</c> run checks.</summary>
[Flags]
public enum GateHalf
{
    /// <summary>Bytes allocated per operation, against the baseline file: deterministic, runs in CI.</summary>
    Alloc = 1,

    /// <summary>Each row's time ratio to its in-run reference row, against the baseline file.</summary>
    Time = 2,

    /// <summary>Both, from one run of the timing job (its allocation figures are as exact as the short job's).</summary>
    Both = Alloc | Time,
}
