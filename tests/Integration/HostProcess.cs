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
    public static HostProcess StartWorker(IReadOnlyDictionary<string, string> environment, out int port, params string[] options) =>
        StartOnFreePort("worker", environment, out port, chosen => [Text(chosen), .. options]);

    /// <summary>Starts an orchestrator over workers on loopback, on a free port, and waits until it accepts connections.</summary>
    public static HostProcess StartOrchestrator(out int port, IReadOnlyList<int> workerPorts, params string[] options) =>
        StartOrchestrator(NoEnvironment, out port, workerPorts, options);

    /// <summary>
    /// Starts an orchestrator with <paramref name="environment"/>, as <see cref="StartOrchestrator(out int, IReadOnlyList{int}, string[])"/>.
    /// Unless <paramref name="options"/> give one, its health timeout is <see cref="HealthTimeoutMs"/>, not the 500 ms default.
    /// </summary>
    public static HostProcess StartOrchestrator(IReadOnlyDictionary<string, string> environment, out int port,
        IReadOnlyList<int> workerPorts, params string[] options)
    {
        string[] health = options.Contains("--health-timeout") ? [] : ["--health-timeout", Text(HealthTimeoutMs)];
        return StartOnFreePort("orchestrator", environment, out port,
            chosen => [Text(chosen), .. workerPorts.SelectMany(worker => new[] { "127.0.0.1", Text(worker) }), .. health, .. options]);
    }

    /// <summary>
    /// The health timeout of the orchestrators tests start, unless a test gives its own. Tests kill workers, which the
    /// orchestrator notices at once (their connections reset), and a test of a frozen worker gives the timeout it
    /// waits out. With the 500 ms default a machine starved of CPU (two busy loops and other builds beside the suite)
    /// misses health checks: live workers are marked down, both copies of a pair at times, and writes a test requires
    /// acknowledged are refused (UNAVAILABLE), which is the orchestrator doing its job, not the behaviour under test.
    /// </summary>
    public const int HealthTimeoutMs = 5000;

    /// <summary>
    /// Starts <paramref name="executable"/> on a port free a moment ago and waits until it listens there. Other test runs
    /// share the machine, so another process may bind the port first: the host then exits saying the port is in use,
    /// and it is started again on another (5 tries).
    /// </summary>
    private static HostProcess StartOnFreePort(string executable, IReadOnlyDictionary<string, string> environment, out int port,
        Func<int, string[]> arguments)
    {
        for (int attempt = 1; ; attempt++)
        {
            port = FreePort();
            HostProcess host = Start(executable, environment, arguments(port));
            if (host.Listen(port, portTakenIsRetry: attempt < 5))
            {
                return host;
            }
            host.Dispose();
        }
    }

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes a line to the process's standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes the process's standard input.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>
    /// Waits (30 s at most) until this process listens on <paramref name="port"/> and a connection to it on loopback is
    /// accepted. The listener must be this process's own: a socket in LISTEN state on that port (from
    /// /proc/net/tcp and tcp6) whose inode is one of this process's descriptors (/proc/&lt;pid&gt;/fd, links named
    /// <c>socket:[inode]</c>). Another program on the port, or an earlier host left running, does not count, and a
    /// process that exits fails the test at once.
    /// </summary>
    public void WaitForPort(int port) => Listen(port, portTakenIsRetry: false);

    /// <summary>
    /// <see cref="WaitForPort"/>; false instead of failing when <paramref name="portTakenIsRetry"/> and the process
    /// exited because another process holds the port.
    /// </summary>
    private bool Listen(int port, bool portTakenIsRetry)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                WaitForExit(TimeSpan.FromSeconds(10)); // its last words read
                if (portTakenIsRetry && StandardError.Contains("the port is in use by another process", StringComparison.Ordinal))
                {
                    return false;
                }
                Assert.Fail($"the process exited early with code {SafeExitCode()}:\n{Output}");
            }
            if (ListensOn(_process.Id, port))
            {
                try
                {
                    using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    using var connecting = new CancellationTokenSource(StartTimeout);
                    probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), connecting.Token).AsTask().GetAwaiter().GetResult();
                    Assert.False(_process.HasExited, $"the process exited early with code {SafeExitCode()}:\n{Output}");
                    return true;
                }
                catch (SocketException)
                {
                    // Listening on another address than loopback only, or the backlog is full: try again.
                }
            }
            Thread.Sleep(20);
        }
        Assert.Fail($"process {_process.Id} did not listen on port {port} within {StartTimeout.TotalSeconds:0} s " +
            $"(listening there: {DescribeListeners(port)}):\n{Output}");
        return false;
    }

    /// <summary>How long a host may take to start listening: generous, for a machine loaded by other builds and tests.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Whether process <paramref name="pid"/> holds a socket listening on TCP <paramref name="port"/>.</summary>
    internal static bool ListensOn(int pid, int port)
    {
        HashSet<long> listeners = ListeningInodes(port);
        if (listeners.Count == 0)
        {
            return false;
        }
        try
        {
            foreach (string descriptor in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                string? target;
                try
                {
                    target = new FileInfo(descriptor).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed meanwhile
                }
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                    && long.TryParse(target.AsSpan(8, target.Length - 9), System.Globalization.NumberStyles.None,
                        System.Globalization.CultureInfo.InvariantCulture, out long inode)
                    && listeners.Contains(inode))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            // The process is gone (its /proc entry with it).
        }
        return false;
    }

    /// <summary>
    /// The inodes of the sockets in LISTEN state on TCP <paramref name="port"/>, any address, IPv4 and IPv6. A line of
    /// /proc/net/tcp: <c>sl local_address(hex ip:hex port) rem_address st(0A = LISTEN) tx:rx tr:when retrnsmt uid
    /// timeout inode …</c>.
    /// </summary>
    private static HashSet<long> ListeningInodes(int port)
    {
        var inodes = new HashSet<long>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != "0A")
                {
                    continue;
                }
                string local = fields[1];
                int colon = local.LastIndexOf(':');
                if (colon > 0
                    && int.TryParse(local.AsSpan(colon + 1), System.Globalization.NumberStyles.HexNumber,
                        System.Globalization.CultureInfo.InvariantCulture, out int listening)
                    && listening == port
                    && long.TryParse(fields[9], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long inode))
                {
                    inodes.Add(inode);
                }
            }
        }
        return inodes;
    }

    /// <summary>Which processes hold the sockets listening on <paramref name="port"/>, for a failure message.</summary>
    private static string DescribeListeners(int port)
    {
        HashSet<long> inodes = ListeningInodes(port);
        if (inodes.Count == 0)
        {
            return "nothing";
        }
        var owners = new List<string>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out int pid) && ListensOn(pid, port))
            {
                owners.Add($"pid {pid}");
            }
        }
        return owners.Count > 0 ? string.Join(", ", owners) : $"socket inodes {string.Join(", ", inodes)} of no process seen";
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

    /// <summary>
    /// Waits until the output contains <paramref name="text"/> (30 s at most): for tests of what a host prints. The
    /// output reaches the test through a pipe read on another thread, so a line the process has written may not be in
    /// <see cref="Output"/> yet; assert on a message through this, never on <see cref="Output"/> at once. A test that
    /// needs a host's state (a worker up, a resync done) asks the host (INFO), not its log: a line can be printed by
    /// another occurrence of the same event.
    /// </summary>
    public void WaitForOutput(string text) =>
        WaitForOutput(output => output.Contains(text, StringComparison.Ordinal), $"'{text}'");

    /// <summary>Waits until <paramref name="condition"/> holds for the output (30 s at most); <paramref name="what"/> names it in the failure.</summary>
    public void WaitForOutput(Func<string, bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition(Output))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"never printed {what}:\n{Output}");
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

    /// <summary>
    /// Waits until the process is stopped (a <see cref="Pause"/> has taken effect: state T in /proc/&lt;pid&gt;/stat), 10 s at
    /// most: from then on it handles nothing, so a request sent to it stays unanswered until it runs again or dies.
    /// </summary>
    public void WaitUntilStopped()
    {
        var deadline = Stopwatch.StartNew();
        while (ProcessState() != 'T')
        {
            Assert.False(_process.HasExited, $"the process exited with code {SafeExitCode()} instead of stopping:\n{Output}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"process {_process.Id} did not stop (state {ProcessState()})");
            Thread.Sleep(1);
        }
    }

    /// <summary>The state letter of /proc/&lt;pid&gt;/stat (R running, S sleeping, T stopped, Z zombie …); '?' once gone.</summary>
    private char ProcessState()
    {
        try
        {
            // "pid (comm) S …": the name may hold spaces and parentheses, so the state follows the last ')'.
            string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return '?';
        }
    }

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
