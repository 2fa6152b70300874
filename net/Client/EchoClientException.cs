namespace EchoCache.Net.Client;

/// <summary>The connection to the server failed or closed: pending and later requests fail with this.</summary>
public sealed class EchoClientException(string message, Exception? inner = null) : Exception(message, inner);
