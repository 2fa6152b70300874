using System.Diagnostics.CodeAnalysis;

namespace EchoCache.Net.Protocol;

/// <summary>Throw sites kept out of the codecs' hot methods so those stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);
}
