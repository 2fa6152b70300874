using System.Globalization;
using System.Text;

namespace EchoCache.Bench;

/// <summary>
/// The committed baseline the gate compares with: one tab-separated line per benchmark row, <c>-</c> for no value.
/// <code>
/// row                                           reference row                               ratio   allocated B/op
/// CacheBenchmarks.Engine_Set[ValueSize=32, ...] CacheBenchmarks.Dictionary_Set[ValueSize... 0.46    0
/// </code>
/// Written by <c>bench/gate ... --update</c>, read by every gate run; lines starting with <c>#</c> are comments.
/// </summary>
public sealed class GateBaseline
{
    private const string Header =
        "# bench/gate's baseline: written by `bench/gate [alloc|time] --update`, compared with by every `bench/gate` run.\n" +
        "# ratio: the row's median time / its reference row's median time in the same run (median over the runs).\n" +
        "# allocated: bytes per operation (BenchmarkDotNet MemoryDiagnoser, every thread); a non-reference row fails above it.\n" +
        "# row\treference row\tratio\tallocated B/op\n";

    private readonly SortedDictionary<string, GateBaselineRow> _rows;

    private GateBaseline(SortedDictionary<string, GateBaselineRow> rows) => _rows = rows;

    /// <summary>Every row, sorted by name.</summary>
    public IEnumerable<GateBaselineRow> Rows => _rows.Values;

    /// <summary>The row named <paramref name="row"/>, or null.</summary>
    public GateBaselineRow? Find(string row) => _rows.GetValueOrDefault(row);

    /// <summary>Adds or replaces a row.</summary>
    public void Set(GateBaselineRow row) => _rows[row.Row] = row;

    /// <summary>Removes a row.</summary>
    public void Remove(string row) => _rows.Remove(row);

    /// <summary>Reads <paramref name="path"/>; an empty baseline when it does not exist.</summary>
    public static GateBaseline Load(string path)
    {
        var rows = new SortedDictionary<string, GateBaselineRow>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return new GateBaseline(rows);
        }
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] fields = line.Split('\t');
            if (fields.Length != 4)
            {
                throw new InvalidDataException($"{path}:{number}: expected 4 tab-separated fields, found {fields.Length}");
            }
            rows[fields[0]] = new GateBaselineRow(
                fields[0],
                fields[1] == "-" ? null : fields[1],
                fields[2] == "-" ? null : double.Parse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture),
                fields[3] == "-" ? null : long.Parse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture));
        }
        return new GateBaseline(rows);
    }

    /// <summary>Writes the baseline to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var text = new StringBuilder(Header);
        foreach (GateBaselineRow row in _rows.Values)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{row.Row}\t{row.Reference ?? "-"}\t{(row.Ratio is double r ? r.ToString("0.000", CultureInfo.InvariantCulture) : "-")}\t{(row.Allocated is long a ? a.ToString(CultureInfo.InvariantCulture) : "-")}\n");
        }
        File.WriteAllText(path, text.ToString());
    }
}
