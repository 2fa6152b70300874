using System.Globalization;
using System.Text;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Commands;

/// <summary>
/// CONFIG GET for both RESP servers: the parameters clients probe (redis-benchmark asks for "save" and
/// "appendonly", StackExchange.Redis for "databases", "timeout" and "slave-read-only"), with fixed answers,
/// matched as Redis 7 does: glob patterns, case-insensitive, each parameter once; an exact name answers as it
/// was asked ("DATABASES"), a glob match by its own name. Unknown patterns match nothing.
/// </summary>
internal static class ConfigParameters
{
    /// <summary>The (name, value) pairs the patterns of <paramref name="request"/> (from argument 2 on) match.</summary>
    public static List<(string Name, string Value)> Match(in RespRequest request, long maxMemory)
    {
        (string Name, string Value)[] parameters =
        [
            ("save", ""),
            ("appendonly", "no"),
            ("databases", "1"),
            ("timeout", "0"),
            ("maxmemory", maxMemory.ToString(CultureInfo.InvariantCulture)),
            ("maxmemory-policy", "allkeys-lru"),
            ("replica-read-only", "yes"),
            ("slave-read-only", "yes"),
            ("proto-max-bulk-len", RespLimits.MaxBulkLength.ToString(CultureInfo.InvariantCulture)),
            ("cluster-enabled", "no"),
        ];
        string?[] replyNames = new string?[parameters.Length];
        for (int i = 2; i < request.Count; i++)
        {
            byte[] pattern = request[i].ToArray();
            bool glob = pattern.AsSpan().IndexOfAny("*?[\\"u8) >= 0;
            Ascii.ToLowerInPlace(pattern, out _);
            for (int p = 0; p < parameters.Length; p++)
            {
                if (replyNames[p] is null && GlobPattern.IsMatch(pattern, Encoding.ASCII.GetBytes(parameters[p].Name)))
                {
                    replyNames[p] = glob ? parameters[p].Name : Encoding.Latin1.GetString(request[i]);
                }
            }
        }
        var matched = new List<(string Name, string Value)>();
        for (int p = 0; p < parameters.Length; p++)
        {
            if (replyNames[p] is { } name)
            {
                matched.Add((name, parameters[p].Value));
            }
        }
        return matched;
    }
}
