namespace EchoCache.Net.Protocol;

/// <summary>A refused RESP request: the kind of error and, for <see cref="RespParseErrorKind.ExpectedDollar"/>, the byte found.</summary>
public readonly struct RespParseError
{
    internal RespParseError(RespParseErrorKind kind, byte got = 0)
    {
        Kind = kind;
        Got = got;
    }

    /// <summary>What went wrong.</summary>
    public RespParseErrorKind Kind { get; }

    /// <summary>The byte found where '$' was expected.</summary>
    public byte Got { get; }
}
