using System.Runtime.CompilerServices;

namespace EchoCache.Engine;

/// <summary>
/// While alive, makes every write an engine makes on the calling thread store one given version instead of a
/// local one (<see cref="CacheEngine.StampVersions"/>), and makes its removals leave tombstones carrying it.
/// The orchestrator decides a read-modify-write command on one worker under the version it assigned, then
/// replicates each touched key's resulting state to the other copy with that same version.
/// <para>
/// Why a thread-static rather than a parameter: a command's engine calls all run synchronously on one thread,
/// and threading a version through every API would touch every call site. A ref struct, so the stamp cannot
/// be carried across an <c>await</c> (which could resume on another thread and leave this one stamped).
/// </para>
/// <code>
/// t_version  u64     the stamp of the calling thread; 0 = none (a stamp is never 0)
/// t_engine   ref     the engine it applies to; other engines on the thread are not stamped
/// </code>
/// </summary>
public readonly ref struct VersionStamp
{
    [ThreadStatic]
    private static ulong t_version;

    [ThreadStatic]
    private static CacheEngine? t_engine;

    private readonly CacheEngine? _engine;

    internal VersionStamp(CacheEngine engine, ulong version)
    {
        if (version == 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(version), "A stamped version cannot be 0.");
        }
        if (t_version != 0)
        {
            ThrowHelper.InvalidOperation("Versions are already stamped on this thread; stamps do not nest.");
        }
        _engine = engine;
        Version = version;
        t_engine = engine;
        t_version = version;
    }

    /// <summary>The version every write stores while the stamp is active.</summary>
    public ulong Version { get; }

    /// <summary>
    /// The version stamped for <paramref name="engine"/> on the calling thread, or 0 when there is none: one
    /// thread-static read when nothing is stamped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ActiveFor(CacheEngine engine)
    {
        ulong version = t_version;
        return version == 0 || ReferenceEquals(t_engine, engine) ? version : 0;
    }

    /// <summary>Ends the stamp: writes on this thread take local versions again.</summary>
    public void Dispose()
    {
        // A default instance, or one disposed twice, must not end another stamp.
        if (_engine != null && ReferenceEquals(t_engine, _engine) && t_version == Version)
        {
            t_engine = null;
            t_version = 0;
        }
    }
}
