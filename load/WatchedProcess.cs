namespace EchoCache.Load;

/// <summary>A process whose CPU time each phase reports (the tool itself has pid 0).</summary>
internal sealed record WatchedProcess(string Name, int Pid);
