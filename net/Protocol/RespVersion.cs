namespace EchoCache.Net.Protocol;

/// <summary>The RESP version a connection speaks (RESP2 until the client sends HELLO 3).</summary>
public enum RespVersion : byte
{
    /// <summary>RESP2: nulls are <c>$-1</c>, maps are flat arrays, doubles are bulk strings, booleans are integers.</summary>
    Resp2 = 2,
    /// <summary>RESP3: <c>_</c> null, <c>%</c> map, <c>,</c> double, <c>#</c> boolean.</summary>
    Resp3 = 3,
}
