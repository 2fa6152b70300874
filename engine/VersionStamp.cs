namespace EchoCache.Engine;

/// <summary>
/// While in scope (<see cref="CacheEngine.StampVersions"/>), every write the engine makes on the calling thread stores
/// one given version, and every removal a command makes leaves a tombstone carrying it: a command decided at a
/// version the orchestrator assigned (docs/consistency.md, "Decided writes") leaves each key it touched at exactly
/// that version, so the key's resulting state can be found and replicated, and an older replica write cannot undo it.
/// </summary>
/// <remarks>
/// Thread-static: a command's engine calls all run synchronously on the thread that runs the command, and passing a
/// version through every engine method instead would touch every caller of every write. Not nestable.
/// </remarks>
public readonly struct VersionStamp : IDisposable
{
    [ThreadStatic]
    private static ulong t_version;

    internal VersionStamp(ulong version)
    {
        if (version == 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(version), "A stamped version cannot be 0.");
        }
        if (t_version != 0)
        {
            throw new InvalidOperationException("Version stamps do not nest.");
        }
        t_version = version;
    }

    /// <summary>The calling thread's stamped version; 0 outside a stamp.</summary>
    internal static ulong Current => t_version;

    /// <summary>Ends the stamp.</summary>
    public void Dispose() => t_version = 0;
}
