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
        if (input != null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(20_000), "redis-cli did not finish within 20 s");
        return (output + error.Result).TrimEnd('\n');
    }
}
