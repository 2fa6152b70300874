namespace EchoCache.Net.Hosting;

/// <summary>
/// A host's command line: positional arguments (the original command lines) and named options
/// (<c>--name value</c> or <c>--name=value</c>). Every mistake becomes a <see cref="UsageException"/>
/// with a message a person can act on.
/// </summary>
public sealed class HostArguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known;

    private HostArguments(HashSet<string> known) => _known = known;

    /// <summary>Positional arguments in order.</summary>
    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>; options not in <paramref name="knownOptions"/> are refused.</summary>
    public static HostArguments Parse(string[] args, params string[] knownOptions)
    {
        var parsed = new HostArguments(new HashSet<string>(knownOptions, StringComparer.Ordinal));
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                parsed.Positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (!parsed._known.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
            if (value == null)
            {
                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"option --{name} needs a value");
                }
                value = args[++i];
            }
            parsed._options[name] = value;
        }
        return parsed;
    }

    /// <summary>The value of an option, or null when absent.</summary>
    public string? Get(string name) => _options.GetValueOrDefault(name);

    /// <summary>An integer option within a range, or <paramref name="fallback"/>.</summary>
    public int GetInt(string name, int fallback, int min, int max)
    {
        string? text = Get(name);
        if (text == null)
        {
            return fallback;
        }
        var style = min < 0 ? System.Globalization.NumberStyles.AllowLeadingSign : System.Globalization.NumberStyles.None;
        if (!int.TryParse(text, style, System.Globalization.CultureInfo.InvariantCulture, out int value)
            || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'");
        }
        return value;
    }

    /// <summary>Reads a cluster secret file (<see cref="Security.ClusterSecret.ReadFile"/>); a problem is a usage error.</summary>
    public static Security.ClusterSecret ReadClusterSecret(string path)
    {
        try
        {
            return Security.ClusterSecret.ReadFile(path);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--cluster-secret-file: {e.Message}");
        }
    }

    /// <summary>Parses a TCP port (1–65535) given as a positional argument.</summary>
    public static int ParsePort(string text, string what)
    {
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            || port < 1 || port > 65535)
        {
            throw new UsageException($"{what} must be a port number from 1 to 65535, not '{text}'");
        }
        return port;
    }
}
