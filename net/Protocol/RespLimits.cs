namespace EchoCache.Net.Protocol;

/// <summary>Caps of the RESP request parser, checked before any buffer is touched.</summary>
public static class RespLimits
{
    /// <summary>Longest bulk string: 64 MiB (Redis's proto-max-bulk-len defaults to 512 MB).</summary>
    public const int MaxBulkLength = 64 << 20;

    /// <summary>Most arguments in one multibulk request (Redis 6's cap; Redis 7 allows up to INT_MAX).</summary>
    public const int MaxMultibulkLength = 1024 * 1024;

    /// <summary>Longest inline command line (Redis's PROTO_INLINE_MAX_SIZE).</summary>
    public const int MaxInlineLength = 64 * 1024;

    /// <summary>
    /// Longest whole request, all arguments together: the most a connection must buffer for one request. Redis
    /// closes a client whose query buffer passes 1 GB (client-query-buffer-limit); we answer an error and close.
    /// </summary>
    public const int MaxRequestLength = 128 << 20;

    /// <summary>Most arguments before authentication (Redis 7: "unauthenticated multibulk length").</summary>
    public const int MaxUnauthenticatedMultibulkLength = 10;

    /// <summary>Longest bulk string before authentication (Redis 7: "unauthenticated bulk length").</summary>
    public const int MaxUnauthenticatedBulkLength = 16384;
}
