namespace EchoCache.Net.Hosting;

/// <summary>A bad command line: the host prints the message and its usage, and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
