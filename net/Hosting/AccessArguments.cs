using EchoCache.Net.Security;

namespace EchoCache.Net.Hosting;

/// <summary>
/// The options a server host (worker, orchestrator) takes for who may use it: the default user's password, given as
/// <c>--requirepass &lt;password&gt;</c>, <c>--requirepass-file &lt;path&gt;</c> (its first line) or the
/// <see cref="PasswordVariable"/> environment variable, the last two keeping it out of <c>ps</c>; and
/// <c>--protected-mode yes|no</c>. See docs/operations.md, "Passwords".
/// </summary>
public static class AccessArguments
{
    /// <summary>The environment variable a password may come from (the options, when given, take precedence).</summary>
    public const string PasswordVariable = "ECHO_CACHE_PASSWORD";

    /// <summary>The option names, for <see cref="HostArguments.Parse"/>.</summary>
    public static readonly string[] Options = ["requirepass", "requirepass-file", "protected-mode"];

    /// <summary>
    /// The password the options or <paramref name="environmentValue"/> (the variable's value, null when unset) give, or
    /// null for none: <c>--requirepass</c> or <c>--requirepass-file</c> (not both), else the variable if it is set and
    /// not empty.
    /// </summary>
    /// <exception cref="UsageException">Both options, an empty or too long password, or a file that cannot be read.</exception>
    public static Password? ParsePassword(HostArguments parsed, string? environmentValue)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        string? text = parsed.Get("requirepass");
        string? path = parsed.Get("requirepass-file");
        if (text != null && path != null)
        {
            throw new UsageException("give --requirepass or --requirepass-file, not both");
        }
        if (text != null)
        {
            return Create(System.Text.Encoding.UTF8.GetBytes(text), "--requirepass");
        }
        if (path != null)
        {
            return Create(ReadFirstLine(path), $"--requirepass-file '{path}'");
        }
        return string.IsNullOrEmpty(environmentValue)
            ? null
            : Create(System.Text.Encoding.UTF8.GetBytes(environmentValue), PasswordVariable);
    }

    /// <summary><c>--protected-mode yes|no</c>; yes when absent, as in Redis.</summary>
    /// <exception cref="UsageException">Another value.</exception>
    public static bool ParseProtectedMode(HostArguments parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return parsed.Get("protected-mode") switch
        {
            null or "yes" => true,
            "no" => false,
            string other => throw new UsageException($"--protected-mode must be yes or no, not '{other}'"),
        };
    }

    private static Password Create(byte[] password, string source)
    {
        if (password.Length == 0)
        {
            throw new UsageException($"the password from {source} is empty");
        }
        if (password.Length > Password.MaxLength)
        {
            throw new UsageException($"the password from {source} is longer than {Password.MaxLength} bytes");
        }
        return new Password(password);
    }

    /// <summary>The file's bytes up to its first line end (LF, or CR LF), which is not part of the password.</summary>
    private static byte[] ReadFirstLine(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"cannot read --requirepass-file '{path}': it is a directory");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException
            or ArgumentException or NotSupportedException)
        {
            // The runtime's own messages are resource keys in a trimmed host: say it in words.
            string reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException or System.Security.SecurityException => "permission denied",
                ArgumentException or NotSupportedException => "not a valid path",
                _ => "it could not be read",
            };
            throw new UsageException($"cannot read --requirepass-file '{path}': {reason}");
        }
        int end = Array.IndexOf(bytes, (byte)'\n');
        if (end < 0)
        {
            end = bytes.Length;
        }
        if (end > 0 && bytes[end - 1] == '\r')
        {
            end--;
        }
        return bytes[..end];
    }
}
