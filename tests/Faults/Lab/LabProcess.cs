using System.Diagnostics;
using System.Globalization;

namespace EchoCache.Faults.Lab;

/// <summary>
/// One of the cluster's executables, run inside its host's network namespace (<c>ip netns exec</c>, which execs the
/// program: the process id is the program's own), its standard output and error appended to a log file that outlives
/// restarts. It can be killed (SIGKILL), frozen (SIGSTOP) and thawed (SIGCONT), and started again with the same
/// command line.
/// </summary>
internal sealed class LabProcess : IDisposable
{
    private readonly string _executable;
    private readonly IReadOnlyList<string> _arguments;
    private Process? _process;

    public LabProcess(string name, LabHost host, string executable, IReadOnlyList<string> arguments, string logFile)
    {
        Name = name;
        Host = host;
        _executable = executable;
        _arguments = arguments;
        LogFile = logFile;
    }

    /// <summary>How the event log names it: orchestrator, worker0, …</summary>
    public string Name { get; }

    /// <summary>Where it runs.</summary>
    public LabHost Host { get; }

    /// <summary>Its log, every start appended.</summary>
    public string LogFile { get; }

    /// <summary>The command line, as an operator would type it.</summary>
    public string CommandLine => $"{Path.GetFileName(_executable)} {string.Join(' ', _arguments)}";

    /// <summary>Whether it runs now (frozen counts as running).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Its process id, while it runs.</summary>
    public int Id => _process?.Id ?? 0;

    /// <summary>Starts it (again) with the same command line.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running");
        }
        _process?.Dispose();
        File.AppendAllText(LogFile, $"--- started at {DateTime.UtcNow:O}: {CommandLine}\n");
        string command = $"exec ip netns exec {Quote(Host.Namespace)} {Quote(_executable)} "
            + string.Join(' ', _arguments.Select(Quote)) + $" >> {Quote(LogFile)} 2>&1";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Name}");
    }

    /// <summary>kill -9, and waits until it is gone.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            Signal("KILL");
            process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGSTOP: it stops running, its sockets stay open, nothing answers.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT.</summary>
    public void Thaw() => Signal("CONT");

    /// <summary>SIGTERM (a clean stop), then kill -9 if it is not gone within <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        Signal("CONT");
        Signal("TERM");
        if (!process.WaitForExit(grace))
        {
            Kill();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        _process = null;
    }

    private void Signal(string signal)
    {
        if (_process is { HasExited: false } process)
        {
            Shell.Run("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)], check: false);
        }
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
