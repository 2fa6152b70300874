using System.Buffers;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

/// <summary>
/// LCS as Redis 7's lcsCommand computes it: the classic dynamic-programming table of LCS lengths of every pair of
/// prefixes, then one walk back from its far corner that yields the subsequence and its contiguous runs, last run
/// first. The walk makes the same choices as Redis (on a tie it moves in the second string), so the subsequence
/// and the runs are exactly Redis's, not just as long.
/// </summary>
internal static class LongestCommonSubsequence
{
    /// <summary>
    /// The largest table, in bytes (4 a cell): Redis's limit is proto-max-bulk-len, here the 64 MiB bulk cap, as
    /// CONFIG GET reports it.
    /// </summary>
    public const long MaxTableBytes = RespLimits.MaxBulkLength;

    // Tables up to this many cells come from the shared pool; larger ones are allocated for the one command.
    private const int PooledCells = 64 * 1024;

    /// <summary>Whether the table for strings of these lengths stays within <see cref="MaxTableBytes"/>.</summary>
    public static bool TableFits(int aLength, int bLength) => (aLength + 1L) * (bLength + 1L) * sizeof(uint) <= MaxTableBytes;

    /// <summary>
    /// The length of the longest common subsequence of <paramref name="a"/> and <paramref name="b"/>. With
    /// <paramref name="walk"/>, also the subsequence itself (<paramref name="sequence"/>, else null) and, when
    /// <paramref name="matches"/> is given, its contiguous runs of at least <paramref name="minMatchLength"/> bytes
    /// (0: all), in the order Redis reports them. The table must fit (<see cref="TableFits"/>).
    /// </summary>
    public static int Run(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, bool walk, long minMatchLength,
        List<LcsMatch>? matches, out byte[]? sequence)
    {
        int alen = a.Length, blen = b.Length;
        int width = blen + 1;
        int cells = (alen + 1) * width;
        uint[]? pooled = cells <= PooledCells ? ArrayPool<uint>.Shared.Rent(cells) : null;
        uint[] table = pooled ?? GC.AllocateUninitializedArray<uint>(cells);
        try
        {
            // LCS(i, j) = table[i * width + j]: the LCS length of a[..i] and b[..j].
            table.AsSpan(0, width).Clear();
            for (int i = 1; i <= alen; i++)
            {
                int row = i * width, above = row - width;
                table[row] = 0;
                byte ai = a[i - 1];
                for (int j = 1; j <= blen; j++)
                {
                    table[row + j] = ai == b[j - 1]
                        ? table[above + j - 1] + 1
                        : Math.Max(table[above + j], table[row + j - 1]);
                }
            }
            int length = (int)table[(alen * width) + blen];
            sequence = null;
            if (walk)
            {
                sequence = new byte[length];
                Walk(a, b, table, width, length, minMatchLength, matches, sequence);
            }
            return length;
        }
        finally
        {
            if (pooled != null)
            {
                ArrayPool<uint>.Shared.Return(pooled);
            }
        }
    }

    /// <summary>Redis's walk back from LCS(alen, blen), a run reported as soon as it can grow no further.</summary>
    private static void Walk(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, uint[] table, int width, int length,
        long minMatchLength, List<LcsMatch>? matches, byte[] sequence)
    {
        int alen = a.Length;
        int idx = length;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart == alen: no run in progress
        int i = alen, j = b.Length;
        while (i > 0 && j > 0)
        {
            bool emit = false;
            if (a[i - 1] == b[j - 1])
            {
                sequence[idx - 1] = a[i - 1];
                if (aStart == alen)
                {
                    aStart = aEnd = i - 1;
                    bStart = bEnd = j - 1;
                }
                else if (aStart == i && bStart == j)
                {
                    aStart--; // the run grows backwards
                    bStart--;
                }
                else
                {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0)
                {
                    emit = true; // a run at the start of either string ends the walk
                }
                idx--;
                i--;
                j--;
            }
            else
            {
                uint up = table[((i - 1) * width) + j];
                uint left = table[(i * width) + j - 1];
                if (up > left)
                {
                    i--;
                }
                else
                {
                    j--;
                }
                if (aStart != alen)
                {
                    emit = true;
                }
            }
            if (emit)
            {
                var match = new LcsMatch(aStart, aEnd, bStart, bEnd);
                if (matches != null && (minMatchLength == 0 || match.Length >= minMatchLength))
                {
                    matches.Add(match);
                }
                aStart = alen;
            }
        }
    }
}
