namespace EchoCache.Bench;

/// <summary>One row of the committed gate baseline (<c>bench/gate-baseline.tsv</c>).</summary>
/// <param name="Row">The row's name (<see cref="GateMeasurement.RowName"/>).</param>
/// <param name="Reference">The row it is timed against, or null for a reference row and the harness.</param>
/// <param name="Ratio">Its time ratio to the reference when the baseline was written, or null.</param>
/// <param name="Allocated">Bytes it allocated per operation when the baseline was written, or null.</param>
public sealed record GateBaselineRow(string Row, string? Reference, double? Ratio, long? Allocated);
