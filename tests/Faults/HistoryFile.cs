using System.Globalization;
using System.Text;
using EchoCache.Faults.Linearizability;

namespace EchoCache.Faults;

/// <summary>
/// A <see cref="History"/> on disk, so a campaign's verdict can be checked again (<c>scripts/faults check</c>): a
/// header line <c># echo-faults history v1 ticks-per-second=N dropped-reads=N</c>, then one operation a line, tab
/// separated: client, kind, key, input, output, call, return (<c>?</c> when the outcome is unknown); a missing value is
/// <c>\N</c>, and tab, newline and backslash inside a value are escaped as <c>\t</c>, <c>\n</c>, <c>\\</c>.
/// </summary>
internal static class HistoryFile
{
    private const string Header = "# echo-faults history v1";

    public static void Write(string path, History history)
    {
        using var file = new StreamWriter(path, append: false, new UTF8Encoding(false));
        file.Write(string.Create(CultureInfo.InvariantCulture,
            $"{Header} ticks-per-second={history.TicksPerSecond ?? 0} dropped-reads={history.DroppedReads}\n"));
        foreach (Operation op in history.Operations)
        {
            file.Write(string.Create(CultureInfo.InvariantCulture,
                $"{op.ClientId}\t{op.Kind}\t{Escape(op.Key)}\t{Escape(op.Input)}\t{Escape(op.Output)}\t{op.Call}\t{(op.OutcomeUnknown ? "?" : op.Return.ToString(CultureInfo.InvariantCulture))}\n"));
        }
    }

    public static History Read(string path)
    {
        using var file = new StreamReader(path, Encoding.UTF8);
        string header = file.ReadLine() ?? throw new InvalidDataException($"{path} is empty");
        if (!header.StartsWith(Header, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path} is not an echo-faults history (its first line is '{header}')");
        }
        long ticks = 0;
        int dropped = 0;
        foreach (string part in header[Header.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pair = part.Split('=');
            if (pair[0] == "ticks-per-second") ticks = long.Parse(pair[1], CultureInfo.InvariantCulture);
            if (pair[0] == "dropped-reads") dropped = int.Parse(pair[1], CultureInfo.InvariantCulture);
        }
        var operations = new List<Operation>();
        int number = 1;
        while (file.ReadLine() is { } line)
        {
            number++;
            string[] f = line.Split('\t');
            if (f.Length != 7 || !Enum.TryParse(f[1], out OperationKind kind))
            {
                throw new InvalidDataException($"{path}:{number}: not an operation: '{line}'");
            }
            operations.Add(new Operation(
                int.Parse(f[0], CultureInfo.InvariantCulture), kind, Unescape(f[2])!, Unescape(f[3]), Unescape(f[4]),
                long.Parse(f[5], CultureInfo.InvariantCulture),
                f[6] == "?" ? Operation.Never : long.Parse(f[6], CultureInfo.InvariantCulture)));
        }
        return new History(operations, ticks == 0 ? null : ticks, dropped);
    }

    private static string Escape(string? value) => value is null ? "\\N"
        : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string? Unescape(string field)
    {
        if (field == "\\N")
        {
            return null;
        }
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var text = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 1 < field.Length)
            {
                i++;
                text.Append(field[i] switch { 't' => '\t', 'n' => '\n', _ => field[i] });
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }
}
