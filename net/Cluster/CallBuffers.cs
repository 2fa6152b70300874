namespace EchoCache.Net.Cluster;

/// <summary>Copies into a call's own buffer, growing it only when a request is larger than any before.</summary>
internal static class CallBuffers
{
    /// <summary>Largest buffer a pooled call keeps; a larger one is dropped after use.</summary>
    public const int MaxRetained = 64 * 1024;

    public static void CopyInto(ref byte[] buffer, ReadOnlySpan<byte> bytes)
    {
        if (buffer.Length < bytes.Length)
        {
            buffer = new byte[Math.Max(bytes.Length, buffer.Length * 2)];
        }
        bytes.CopyTo(buffer);
    }

    /// <summary>Drops a buffer that grew past <see cref="MaxRetained"/> for one large request.</summary>
    public static void Trim(ref byte[] buffer)
    {
        if (buffer.Length > MaxRetained)
        {
            buffer = new byte[64];
        }
    }
}
