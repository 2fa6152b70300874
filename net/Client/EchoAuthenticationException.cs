namespace EchoCache.Net.Client;

/// <summary>
/// The server refused the credentials a connection sent (<see cref="EchoClientOptions.Password"/>): a wrong password
/// or user, or too many failed attempts on the server lately. The message carries the server's reason.
/// </summary>
public sealed class EchoAuthenticationException(string message) : Exception(message);
