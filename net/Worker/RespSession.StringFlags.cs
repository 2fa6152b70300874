namespace EchoCache.Net.Worker;

public sealed partial class RespSession
{
    /// <summary>The options of SET and GETEX, as Redis's parseExtendedStringArgumentsOrReply collects them.</summary>
    [Flags]
    private enum StringFlags
    {
        None = 0,
        Nx = 1 << 0,
        Xx = 1 << 1,
        Get = 1 << 2,
        KeepTtl = 1 << 3,
        Persist = 1 << 4,
        Ex = 1 << 5,
        Px = 1 << 6,
        ExAt = 1 << 7,
        PxAt = 1 << 8,

        /// <summary>Any expiry option.</summary>
        AnyExpiry = Ex | Px | ExAt | PxAt,
    }
}
