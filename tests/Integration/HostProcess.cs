using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// One real host executable (worker, orchestrator, commandline) started for a test, with its output
/// captured, killed (the whole process) on dispose so no test leaves a process behind.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly StringBuilder _standardError = new();
    private readonly Lock _outputLock = new();

    private HostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data, _standardOutput);
        _process.ErrorDataReceived += (_, e) => Append(e.Data, _standardError);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Directory of the published executables (scripts/publish-hosts).</summary>
    public static string BinDirectory =>
        Environment.GetEnvironmentVariable("ECHO_CACHE_BIN") is { Length: > 0 } bin
            ? bin
            : Path.Combine(FindRepositoryRoot(), "artifacts", "aot");

    /// <summary>Path of a published executable; fails the test clearly when it was not published.</summary>
    public static string PathOf(string executable)
    {
        string path = Path.Combine(BinDirectory, executable);
        Assert.True(File.Exists(path), $"{path} does not exist: run scripts/publish-hosts (scripts/test does) first.");
        return path;
    }

    /// <summary>
    /// Everything the process printed so far, standard output and error together, line by line as each arrived:
    /// the order of lines from the two streams is only roughly the order they were written in (two pipes, read by
    /// two threads).
    /// </summary>
    public string Output => Read(_output);

    /// <summary>What the process printed on standard output so far, in order.</summary>
    public string StandardOutput => Read(_standardOutput);

    /// <summary>What the process printed on standard error so far, in order.</summary>
    public string StandardError => Read(_standardError);

    private string Read(StringBuilder text)
    {
        using (_outputLock.EnterScope())
        {
            return text.ToString();
        }
    }

    /// <summary>The process's id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The environment variable a host takes a password from; never passed on from the test's own environment.</summary>
    public const string PasswordVariable = "ECHO_CACHE_PASSWORD";

    private static readonly Dictionary<string, string> NoEnvironment = [];

    /// <summary>Starts <paramref name="executable"/> from the published hosts with <paramref name="arguments"/>.</summary>
    public static HostProcess Start(string executable, params string[] arguments) => Start(executable, NoEnvironment, arguments);

    /// <summary>
    /// Starts <paramref name="executable"/> with <paramref name="arguments"/> and, on top of the test's environment (less
    /// <see cref="PasswordVariable"/>), the variables of <paramref name="environment"/>.
    /// </summary>
    public static HostProcess Start(string executable, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Launch(PathOf(executable), environment, arguments);

    /// <summary>
    /// Starts <paramref name="executable"/> with <paramref name="arguments"/> through <paramref name="launcher"/>: a program
    /// and its options that run the rest of their command line in their own process (exec), such as
    /// <c>prlimit --nofile=256:</c>, so <see cref="Id"/> is the host's.
    /// </summary>
    public static HostProcess StartThrough(string[] launcher, string executable, params string[] arguments) =>
        Launch(launcher[0], NoEnvironment, [.. launcher[1..], PathOf(executable), .. arguments]);

    private static HostProcess Launch(string program, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Remove(PasswordVariable);
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }
        return new HostProcess(Process.Start(info)!);
    }

    /// <summary>Starts a worker on a free port and waits until it accepts connections.</summary>
    public static HostProcess StartWorker(out int port, params string[] options) => StartWorker(NoEnvironment, out port, options);

    /// <summary>Starts a worker on a free port with <paramref name="environment"/> and waits until it accepts connections.</summary>
    public static HostProcess StartWorker(IReadOnlyDictionary<string, string> environment, out int port, params string[] options)
    {
        port = FreePort();
        HostProcess worker = Start("worker", environment, [port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options]);
        worker.WaitForPort(port);
        return worker;
    }

    /// <summary>Starts an orchestrator over workers on loopback, on a free port, and waits until it accepts connections.</summary>
    public static HostProcess StartOrchestrator(out int port, IReadOnlyList<int> workerPorts, params string[] options) =>
        StartOrchestrator(NoEnvironment, out port, workerPorts, options);

    /// <summary>Starts an orchestrator with <paramref name="environment"/>, as <see cref="StartOrchestrator(out int, IReadOnlyList{int}, string[])"/>.</summary>
    public static HostProcess StartOrchestrator(IReadOnlyDictionary<string, string> environment, out int port,
        IReadOnlyList<int> workerPorts, params string[] options)
    {
        port = FreePort();
        var arguments = new List<string> { port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (int workerPort in workerPorts)
        {
            arguments.Add("127.0.0.1");
            arguments.Add(workerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        arguments.AddRange(options);
        HostProcess orchestrator = Start("orchestrator", environment, [.. arguments]);
        orchestrator.WaitForPort(port);
        return orchestrator;
    }

    /// <summary>Writes a line to the process's standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes the process's standard input.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until <paramref name="port"/> on loopback accepts a connection (10 s at most).</summary>
    public void WaitForPort(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Assert.False(_process.HasExited, $"the process exited early with code {SafeExitCode()}:\n{Output}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }
        Assert.Fail($"nothing listened on port {port} within 10 s:\n{Output}");
    }

    /// <summary>Waits for the process to exit; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit(); // drains the redirected output
        return true;
    }

    /// <summary>Waits until the output contains <paramref name="text"/> (10 s at most).</summary>
    public void WaitForOutput(string text)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"never printed '{text}':\n{Output}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Sends SIGTERM (a clean stop).</summary>
    public void Terminate()
    {
        Signal("-TERM");
    }

    /// <summary>Freezes the process (SIGSTOP): it holds its sockets and data and answers nothing, as in a partition.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>Lets a paused process run on (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

    /// <summary>Sends SIGHUP (read the secret files again).</summary>
    public void HangUp() => Signal("-HUP");

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
    }

    /// <summary>Kills the process at once (kill -9).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>A TCP port free on loopback right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private int SafeExitCode() => _process.HasExited ? _process.ExitCode : 0;

    private void Append(string? line, StringBuilder stream)
    {
        if (line != null)
        {
            using (_outputLock.EnterScope())
            {
                _output.Append(line).Append('\n');
                stream.Append(line).Append('\n');
            }
        }
    }

    /// <summary>The checkout: above the test binaries, or (when they were built elsewhere) above this source file.</summary>
    private static string FindRepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "")
    {
        foreach (string? start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            string? directory = start;
            while (directory != null && !File.Exists(Path.Combine(directory, "EchoCache.Fast.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }
            if (directory != null)
            {
                return directory;
            }
        }
        throw new InvalidOperationException("EchoCache.Fast.sln not found above the test binaries or their sources.");
    }
}
