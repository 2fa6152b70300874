using System.Text;

namespace EchoCache.CommandLine;

/// <summary>
/// Splits an interactive line into words, as a shell would for the simple cases: words are separated by spaces
/// or tabs; "double quotes" keep spaces and take <c>\"</c> for a quote and <c>\\</c> for a backslash (any other
/// backslash stays as typed); 'single quotes' keep everything as typed. Quoted and plain parts written together
/// make one word (<c>a"b c"</c> is <c>ab c</c>), and <c>""</c> is an empty word.
/// </summary>
internal static class LineTokenizer
{
    /// <summary>Appends the words of <paramref name="line"/> to <paramref name="words"/>; false, with the reason, on an unterminated quote.</summary>
    public static bool TryTokenize(string line, List<string> words, out string? error)
    {
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c is ' ' or '\t')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c is not ('"' or '\''))
            {
                word.Append(c);
                continue;
            }
            int close = ReadQuoted(line, i + 1, c, word);
            if (close < 0)
            {
                error = $"Unterminated {c} quote: close it, e.g. set greeting \"hello world\"";
                return false;
            }
            i = close;
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        error = null;
        return true;
    }

    /// <summary>Appends the quoted text starting at <paramref name="start"/>; returns the index of the closing quote, or -1.</summary>
    private static int ReadQuoted(string line, int start, char quote, StringBuilder word)
    {
        for (int i = start; i < line.Length; i++)
        {
            char c = line[i];
            if (c == quote)
            {
                return i;
            }
            if (quote == '"' && c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
            {
                c = line[++i];
            }
            word.Append(c);
        }
        return -1;
    }
}
