using System.Globalization;

namespace EchoCache.Faults.Lab;

/// <summary>What the orchestrator's INFO says of the cluster: each worker's state, the epoch, and the INFO fields by name.</summary>
internal sealed class ClusterState
{
    private ClusterState(IReadOnlyDictionary<string, string> fields, IReadOnlyList<string> workerStates)
    {
        Fields = fields;
        WorkerStates = workerStates;
    }

    /// <summary>Every <c>name:value</c> line of INFO.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>Each worker's state, in order: up, syncing, returning or down.</summary>
    public IReadOnlyList<string> WorkerStates { get; }

    /// <summary>Every worker is up.</summary>
    public bool AllUp => WorkerStates.Count > 0 && WorkerStates.All(s => s == "up");

    /// <summary>Worker <paramref name="index"/> is in <paramref name="state"/>.</summary>
    public bool Is(int index, string state) => index < WorkerStates.Count && WorkerStates[index] == state;

    /// <summary>A numeric INFO field, or -1 when it is not there.</summary>
    public long Number(string name) =>
        Fields.TryGetValue(name, out string? value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : -1;

    /// <summary>Reads INFO's text.</summary>
    public static ClusterState Parse(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var states = new SortedDictionary<int, string>();
        foreach (string raw in info.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || colon < 0)
            {
                continue;
            }
            string name = line[..colon];
            string value = line[(colon + 1)..];
            fields[name] = value;
            if (name.StartsWith("worker", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                foreach (string part in value.Split(','))
                {
                    if (part.StartsWith("state=", StringComparison.Ordinal))
                    {
                        states[index] = part[6..];
                    }
                }
            }
        }
        return new ClusterState(fields, [.. states.Values]);
    }
}
