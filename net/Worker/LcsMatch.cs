namespace EchoCache.Net.Worker;

/// <summary>
/// One run of the longest common subsequence that is contiguous in both strings (LCS IDX): its first and last
/// byte in each, both ends inclusive.
/// </summary>
/// <param name="AStart">First byte of the run in the first string.</param>
/// <param name="AEnd">Last byte of the run in the first string.</param>
/// <param name="BStart">First byte of the run in the second string.</param>
/// <param name="BEnd">Last byte of the run in the second string.</param>
internal readonly record struct LcsMatch(int AStart, int AEnd, int BStart, int BEnd)
{
    /// <summary>The run's length in bytes (LCS WITHMATCHLEN).</summary>
    public int Length => AEnd - AStart + 1;
}
