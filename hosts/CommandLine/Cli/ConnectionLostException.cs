namespace EchoCache.CommandLine;

/// <summary>An open connection failed before a command's reply came; <see cref="Reason"/> says why.</summary>
internal sealed class ConnectionLostException(string reason) : Exception(reason)
{
    /// <summary>Why, e.g. <c>the server closed the connection</c>.</summary>
    public string Reason => Message;
}
