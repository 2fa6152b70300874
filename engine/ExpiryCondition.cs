namespace EchoCache.Engine;

/// <summary>
/// When <see cref="CacheEngine.Expire"/> changes a key's expiry: Redis's EXPIRE options NX, XX, GT and LT.
/// Flags combine as "and" (XX with LT: the key has an expiry and the new one is earlier).
/// </summary>
[Flags]
public enum ExpiryCondition : byte
{
    /// <summary>Always.</summary>
    Always = 0,
    /// <summary>Only if the key has no expiry (NX).</summary>
    IfNone = 1,
    /// <summary>Only if the key has an expiry (XX).</summary>
    IfAny = 2,
    /// <summary>Only if the new expiry is later than the current one; no expiry counts as infinitely late (GT).</summary>
    IfLater = 4,
    /// <summary>Only if the new expiry is earlier than the current one; no expiry counts as infinitely late (LT).</summary>
    IfEarlier = 8,
}
