namespace EchoCache.Load;

/// <summary>CPU a process used during a phase: in total, per completed request, and as a share of one core.</summary>
internal sealed record CpuUse(string Name, double Seconds, double MicrosecondsPerRequest, double CoreShare);
