namespace EchoCache.Net.Client;

/// <summary>How <see cref="EchoClient.ConnectAsync(string, int, EchoClientOptions, CancellationToken)"/> opens a connection.</summary>
public sealed class EchoClientOptions
{
    /// <summary>
    /// The password the server requires (its <c>--requirepass</c>), sent in an AUTH as soon as the connection is
    /// open; null to send none.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>The user to authenticate as; null or empty for the default user (the only one there is).</summary>
    public string? User { get; init; }
}
