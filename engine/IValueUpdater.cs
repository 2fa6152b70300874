namespace EchoCache.Engine;

/// <summary>
/// An atomic read-modify-write of one key's value (APPEND, SETRANGE, INCRBYFLOAT), run under the key's
/// shard lock: the engine shows the current item, the updater writes the new plain value into scratch
/// space, and the engine stores it, keeping the item's expiry and flags.
/// </summary>
public interface IValueUpdater
{
    /// <summary>
    /// The most bytes the new value can need, given the current item (<paramref name="exists"/> false: there
    /// is none and <paramref name="current"/> is empty). The engine refuses more than it can store.
    /// </summary>
    int MaxLength(bool exists, in ItemView current);

    /// <summary>
    /// Writes the new value into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) and
    /// sets <paramref name="length"/>. Any status other than <see cref="CacheStatus.Ok"/> aborts the update
    /// and is returned as it is, leaving the item unchanged.
    /// </summary>
    CacheStatus Update(bool exists, in ItemView current, Span<byte> destination, out int length);
}
