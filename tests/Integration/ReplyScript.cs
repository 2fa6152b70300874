using System.Globalization;
using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Reads a reply script: one command a line, arguments separated by spaces. Blank lines and lines starting with
/// <c>#</c> are skipped. An argument in double quotes may hold spaces, be empty, or use the escapes <c>\"</c>,
/// <c>\\</c>, <c>\r</c>, <c>\n</c>, <c>\t</c> and <c>\xHH</c> (any byte). A line may start with <c>~</c> (compare
/// the array as a set) or <c>@</c> (loop a SCAN to cursor 0): see <see cref="ScriptMode"/>.
/// </summary>
public static class ReplyScript
{
    /// <summary>The script file copied next to the test binaries (Integration/Scripts/<paramref name="name"/>).</summary>
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Integration", "Scripts", name);

    /// <summary>The commands of the script at <paramref name="path"/>.</summary>
    public static IReadOnlyList<ScriptLine> Load(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist: the test project copies Integration/Scripts/*.txt to its output");
        return Parse(File.ReadAllLines(path));
    }

    /// <summary>The commands of a script given as its lines.</summary>
    public static IReadOnlyList<ScriptLine> Parse(IReadOnlyList<string> lines)
    {
        var script = new List<ScriptLine>();
        for (int number = 1; number <= lines.Count; number++)
        {
            string text = lines[number - 1].Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            ScriptMode mode = text[0] switch
            {
                '~' => ScriptMode.Unordered,
                '@' => ScriptMode.ScanLoop,
                _ => ScriptMode.Exact,
            };
            string command = mode == ScriptMode.Exact ? text : text[1..];
            List<byte[]> arguments = Tokenize(command, number);
            if (arguments.Count == 0)
            {
                throw new FormatException($"line {number}: a prefix with no command");
            }
            if (mode == ScriptMode.ScanLoop && (arguments.Count < 2 || !Encoding.UTF8.GetString(arguments[0]).Equals("SCAN", StringComparison.OrdinalIgnoreCase)))
            {
                throw new FormatException($"line {number}: '@' is for SCAN <cursor> ...");
            }
            script.Add(new ScriptLine(script.Count, number, mode, arguments, text));
        }
        return script;
    }

    private static List<byte[]> Tokenize(string line, int number)
    {
        var arguments = new List<byte[]>();
        int i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }
            if (i == line.Length)
            {
                return arguments;
            }
            var argument = new List<byte>();
            if (line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i == line.Length)
                    {
                        throw new FormatException($"line {number}: unterminated quote");
                    }
                    char c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }
                    if (c != '\\')
                    {
                        argument.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                        continue;
                    }
                    if (i == line.Length)
                    {
                        throw new FormatException($"line {number}: a backslash ends the line");
                    }
                    char escaped = line[i++];
                    switch (escaped)
                    {
                        case '"' or '\\':
                            argument.Add((byte)escaped);
                            break;
                        case 'r':
                            argument.Add((byte)'\r');
                            break;
                        case 'n':
                            argument.Add((byte)'\n');
                            break;
                        case 't':
                            argument.Add((byte)'\t');
                            break;
                        case 'x' when i + 2 <= line.Length &&
                                      byte.TryParse(line.AsSpan(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte value):
                            argument.Add(value);
                            i += 2;
                            break;
                        default:
                            throw new FormatException($"line {number}: unknown escape \\{escaped}");
                    }
                }
                if (i < line.Length && !char.IsWhiteSpace(line[i]))
                {
                    throw new FormatException($"line {number}: a closing quote must end its argument");
                }
            }
            else
            {
                int start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i]))
                {
                    i++;
                }
                argument.AddRange(Encoding.UTF8.GetBytes(line[start..i]));
            }
            arguments.Add([.. argument]);
        }
    }
}
