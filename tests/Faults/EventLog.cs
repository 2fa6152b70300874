using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Faults;

/// <summary>
/// What the campaign did and saw, in order, each line timed on the clock the history uses (seconds since the
/// campaign started) and written to <c>events.log</c> as it happens, so a run that dies still leaves it.
/// </summary>
internal sealed class EventLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly StreamWriter _file;
    private readonly long _start;
    private readonly bool _echo;

    public EventLog(string path, long start, bool echo)
    {
        _file = new StreamWriter(path, append: false) { AutoFlush = true };
        _start = start;
        _echo = echo;
    }

    /// <summary>Seconds since the start at <paramref name="timestamp"/>.</summary>
    public double Seconds(long timestamp) => (timestamp - _start) / (double)Stopwatch.Frequency;

    /// <summary>Writes one line, timed now.</summary>
    public void Write(string text)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{Seconds(Stopwatch.GetTimestamp()),9:F3}  {text}");
        lock (_gate)
        {
            _file.WriteLine(line);
        }
        if (_echo)
        {
            Console.WriteLine(line);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();
}
