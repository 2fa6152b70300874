using System.Globalization;

namespace EchoCache.Bench;

/// <summary>
/// Resident kilobytes of every mapping of this process (/proc/self/smaps), to show where an RSS delta went.
/// </summary>
public sealed class SmapsSnapshot
{
    private readonly Dictionary<string, (long SizeKb, long RssKb)> _mappings = [];

    /// <summary>Reads /proc/self/smaps now.</summary>
    public static SmapsSnapshot Take()
    {
        var snapshot = new SmapsSnapshot();
        string? current = null;
        long size = 0;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (IsHeader(line))
            {
                current = line;
                size = 0;
            }
            else if (current is not null && line.StartsWith("Size:", StringComparison.Ordinal))
            {
                size = Kb(line);
            }
            else if (current is not null && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                snapshot._mappings[Describe(current)] = (size, Kb(line));
            }
        }
        return snapshot;
    }

    /// <summary>Writes the mappings whose resident size grew most since <paramref name="before"/>.</summary>
    public void PrintGrowthSince(SmapsSnapshot before, TextWriter writer, int top = 12)
    {
        var growth = new List<(string Name, long SizeKb, long DeltaKb)>();
        foreach ((string name, (long sizeKb, long rssKb)) in _mappings)
        {
            long was = before._mappings.TryGetValue(name, out var old) ? old.RssKb : 0;
            if (rssKb != was)
            {
                growth.Add((name, sizeKb, rssKb - was));
            }
        }
        writer.WriteLine($"smaps: {growth.Sum(g => g.DeltaKb):N0} kB resident growth over {growth.Count} mappings; largest:");
        foreach ((string name, long sizeKb, long deltaKb) in growth.OrderByDescending(g => g.DeltaKb).Take(top))
        {
            writer.WriteLine($"  {deltaKb,10:N0} kB of a {sizeKb,10:N0} kB mapping  {name}");
        }
    }

    // "7f..-7f.. rw-p 00000000 00:00 0   [heap]": address range, permissions, path if any.
    private static bool IsHeader(string line)
    {
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && line.AsSpan(0, space).Contains('-') && line.AsSpan(0, space).IndexOfAnyExcept("0123456789abcdef-") < 0;
    }

    private static string Describe(string header)
    {
        string[] parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 5 ? $"{parts[0]} {parts[1]} {parts[5]}" : $"{parts[0]} {parts[1]} [anon]";
    }

    private static long Kb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
