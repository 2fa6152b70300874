namespace EchoCache.Net.Commands;

/// <summary>
/// Redis's glob-style patterns for KEYS and SCAN MATCH: <c>*</c> any run, <c>?</c> one byte, <c>[abc]</c>,
/// <c>[^abc]</c> and <c>[a-z]</c> sets, and <c>\x</c> for a literal x. Matches bytes, not characters.
/// </summary>
public static class GlobPattern
{
    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/> as a whole.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        // Iterative with one backtrack point per star: linear in practice, no recursion to overflow.
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                byte c = pattern[p];
                if (c == (byte)'*')
                {
                    while (p < pattern.Length && pattern[p] == (byte)'*') p++;
                    if (p == pattern.Length) return true;
                    starP = p;
                    starT = t;
                    continue;
                }
                if (MatchOne(pattern, p, text[t], out int next))
                {
                    p = next;
                    t++;
                    continue;
                }
            }
            if (starP < 0)
            {
                return false;
            }
            p = starP;
            t = ++starT;
        }
        while (p < pattern.Length && pattern[p] == (byte)'*') p++;
        return p == pattern.Length;
    }

    /// <summary>Whether the pattern is a plain "*", which matches everything without looking.</summary>
    public static bool MatchesAll(ReadOnlySpan<byte> pattern) => pattern.Length == 1 && pattern[0] == (byte)'*';

    private static bool MatchOne(ReadOnlySpan<byte> pattern, int p, byte b, out int next)
    {
        byte c = pattern[p];
        if (c == (byte)'?')
        {
            next = p + 1;
            return true;
        }
        if (c == (byte)'\\' && p + 1 < pattern.Length)
        {
            next = p + 2;
            return pattern[p + 1] == b;
        }
        if (c != (byte)'[')
        {
            next = p + 1;
            return c == b;
        }
        int i = p + 1;
        bool negate = i < pattern.Length && pattern[i] == (byte)'^';
        if (negate) i++;
        bool matched = false;
        while (i < pattern.Length && pattern[i] != (byte)']')
        {
            if (pattern[i] == (byte)'\\' && i + 1 < pattern.Length)
            {
                matched |= pattern[i + 1] == b;
                i += 2;
            }
            else if (i + 2 < pattern.Length && pattern[i + 1] == (byte)'-' && pattern[i + 2] != (byte)']')
            {
                byte lo = pattern[i], hi = pattern[i + 2];
                if (lo > hi) (lo, hi) = (hi, lo);
                matched |= b >= lo && b <= hi;
                i += 3;
            }
            else
            {
                matched |= pattern[i] == b;
                i++;
            }
        }
        // An unterminated set runs to the end of the pattern, as in Redis.
        next = i < pattern.Length ? i + 1 : i;
        return matched != negate;
    }
}
