namespace EchoCache.Faults.Clients;

/// <summary>Where the campaign's clients connect and how long they wait for an answer.</summary>
/// <param name="Host">The orchestrator's address.</param>
/// <param name="Port">Its port.</param>
/// <param name="Password">Its password.</param>
/// <param name="Timeout">How long a request may go unanswered before its outcome is unknown and its connection dropped.</param>
internal sealed record TrafficOptions(string Host, int Port, string Password, TimeSpan Timeout);
