namespace EchoCache.CommandLine;

/// <summary>The server refused the CLI's password; <see cref="Reason"/> is the server's answer.</summary>
internal sealed class AuthenticationFailedException(string reason) : Exception(reason)
{
    /// <summary>Why, e.g. <c>WRONGPASS invalid username-password pair or user is disabled.</c></summary>
    public string Reason => Message;
}
