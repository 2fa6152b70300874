namespace EchoCache.Net.Protocol;

/// <summary>Where one argument of a parsed RESP request lies in the request's source bytes.</summary>
internal readonly struct RespArgument(int start, int length)
{
    /// <summary>Offset from the start of the source.</summary>
    public int Start { get; } = start;

    /// <summary>Length in bytes.</summary>
    public int Length { get; } = length;
}
