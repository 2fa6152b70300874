using System.Diagnostics;

namespace EchoCache.Faults.Lab;

/// <summary>Runs the system commands a lab is made with (ip, nft), each to completion, failing loudly.</summary>
internal static class Shell
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>, feeding it <paramref name="input"/>; throws with its output when it fails.</summary>
    public static string Run(string file, IEnumerable<string> arguments, string? input = null, bool check = true)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within 30 s");
        }
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {error.Result.Trim()}");
        }
        return output.Result;
    }

    /// <summary>Whether <paramref name="file"/> is on the PATH.</summary>
    public static bool Has(string file) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, file)));
}
