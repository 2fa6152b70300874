using System.Globalization;

namespace EchoCache.Net.Hosting;

/// <summary>Byte sizes as people write them: <c>1073741824</c>, <c>512mb</c>, <c>1g</c>, <c>64KiB</c>.</summary>
public static class ByteSize
{
    /// <summary>Parses a size; false on anything else or on overflow.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string s = text.Trim().ToLowerInvariant();
        int end = 0;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        if (end == 0 || !long.TryParse(s.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            return false;
        }
        long unit = s[end..] switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1L << 10,
            "m" or "mb" or "mib" => 1L << 20,
            "g" or "gb" or "gib" => 1L << 30,
            _ => 0,
        };
        if (unit == 0 || number > long.MaxValue / unit)
        {
            return false;
        }
        bytes = number * unit;
        return true;
    }
}
