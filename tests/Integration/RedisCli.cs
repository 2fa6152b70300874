using System.Diagnostics;

namespace EchoCache.Tests.Integration;

/// <summary>Runs redis-cli (installed by scripts/setup) against a port and returns what it printed.</summary>
internal static class RedisCli
{
    public static string Run(int port, params string[] arguments) => RunWithInput(port, null, arguments);

    public static string RunWithInput(int port, string? input, params string[] arguments)
    {
        var info = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input != null,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-h");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(info)!;
        // Both pipes read while it runs, and the whole run bounded: a server that never answers fails the test (and the
        // redis-cli waiting on it is killed) rather than hanging it.
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (input != null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            Assert.Fail($"redis-cli {string.Join(' ', arguments)} did not finish within 30 s");
        }
        process.WaitForExit(); // the pipes drained
        return (output.Result + error.Result).TrimEnd('\n');
    }
}
