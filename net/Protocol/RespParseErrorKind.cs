namespace EchoCache.Net.Protocol;

/// <summary>Why a RESP request was refused. Each maps to Redis's error text (see <see cref="RespWriter.TryWriteProtocolError"/>).</summary>
public enum RespParseErrorKind : byte
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>"Protocol error: invalid multibulk length": the <c>*</c> count is not a number or over 1M.</summary>
    InvalidMultibulkLength,
    /// <summary>"Protocol error: invalid bulk length": the <c>$</c> length is not a number, negative or over 64 MiB.</summary>
    InvalidBulkLength,
    /// <summary>"Protocol error: expected '$', got 'x'": an array element is not a bulk string.</summary>
    ExpectedDollar,
    /// <summary>"Protocol error: missing CRLF after bulk data" (ours: Redis does not check these two bytes).</summary>
    MissingBulkCrlf,
    /// <summary>"Protocol error: too big inline request": no newline within 64 KiB.</summary>
    TooBigInlineRequest,
    /// <summary>"Protocol error: unbalanced quotes in request" (inline).</summary>
    UnbalancedQuotes,
    /// <summary>"Protocol error: unauthenticated multibulk length": over 10 arguments before AUTH.</summary>
    UnauthenticatedMultibulkLength,
    /// <summary>"Protocol error: unauthenticated bulk length": a bulk over 16 KiB before AUTH.</summary>
    UnauthenticatedBulkLength,
    /// <summary>"Protocol error: too big request" (ours): the whole request would pass 128 MiB.</summary>
    RequestTooLarge,
    /// <summary>
    /// "Protocol error: NUL byte in inline request" (ours): Redis looks for the newline with strchr, so it never finds
    /// the end of such a line and waits for 64 KiB; we refuse at once.
    /// </summary>
    NulInInlineRequest,
}
