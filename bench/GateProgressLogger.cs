using System.Text;
using BenchmarkDotNet.Loggers;

namespace EchoCache.Bench;

/// <summary>
/// The gate's console: one line per benchmark started and every error, instead of BenchmarkDotNet's full log
/// (which still goes to the run's <c>*.log</c> file in its artifacts folder).
/// </summary>
public sealed class GateProgressLogger(TextWriter output) : ILogger
{
    private const string Started = "// Benchmark: ";

    private readonly StringBuilder _line = new();
    private bool _error;

    /// <inheritdoc />
    public string Id => nameof(GateProgressLogger);

    /// <inheritdoc />
    public int Priority => 0;

    /// <inheritdoc />
    public void Write(LogKind logKind, string text)
    {
        _line.Append(text);
        _error |= logKind == LogKind.Error;
    }

    /// <inheritdoc />
    public void WriteLine()
    {
        string line = _line.ToString();
        if (_error)
        {
            output.WriteLine(line);
        }
        else if (line.StartsWith(Started, StringComparison.Ordinal))
        {
            // "// Benchmark: Class.Method: Job(settings...) [Params]" -> "  Class.Method [Params]"
            string name = line[Started.Length..];
            int job = name.IndexOf(": ", StringComparison.Ordinal);
            int parameters = name.LastIndexOf(" [", StringComparison.Ordinal);
            output.WriteLine("  " + (job < 0 ? name : name[..job]) + (parameters > job && job >= 0 ? name[parameters..] : ""));
        }
        _line.Clear();
        _error = false;
    }

    /// <inheritdoc />
    public void WriteLine(LogKind logKind, string text)
    {
        Write(logKind, text);
        WriteLine();
    }

    /// <inheritdoc />
    public void Flush() => output.Flush();
}
