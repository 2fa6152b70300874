namespace EchoCache.Faults.Lab;

/// <summary>A host of a <see cref="NetworkLab"/>: its name, its network namespace and its address there.</summary>
internal sealed record LabHost(string Name, string Namespace, string Address);
