using EchoCache.Engine;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Reads the few things the orchestrator needs from a worker's RESP reply to fold several into one: an integer, an
/// array's element count, whether a bulk is null, SCAN's cursor. The replies come from a worker, so they are
/// well-formed; a reply of another shape reads as 0 elements or no cursor rather than throwing.
/// </summary>
internal static class RespReplies
{
    /// <summary>
    /// The error text of an orchestrator fenced out by a newer one (docs/consistency.md, "Epochs"); short enough for
    /// the room an error of ours gets (<see cref="RespReplyFormat"/>).
    /// </summary>
    public static ReadOnlySpan<byte> Fenced => "CLUSTERDOWN fenced out by a newer orchestrator; use that one"u8;

    /// <summary><see cref="Fenced"/> as a whole RESP error line.</summary>
    public static ReadOnlySpan<byte> FencedLine =>
        "-CLUSTERDOWN fenced out by a newer orchestrator; use that one\r\n"u8;

    /// <summary>The value of an integer reply (<c>:n\r\n</c>); 0 for anything else.</summary>
    public static long Integer(ReadOnlySpan<byte> reply) =>
        reply.Length > 3 && reply[0] == (byte)':' && Int64Text.TryParse(Line(reply[1..]), out long value) ? value : 0;

    /// <summary>An array reply's element count, and the length of its header line; 0 elements for anything else.</summary>
    public static int ArrayElements(ReadOnlySpan<byte> reply, out int headerLength)
    {
        headerLength = reply.Length;
        if (reply.Length < 4 || reply[0] != (byte)'*')
        {
            return 0;
        }
        ReadOnlySpan<byte> count = Line(reply[1..]);
        headerLength = count.Length + 3;
        return Int64Text.TryParse(count, out long elements) && elements > 0 ? (int)elements : 0;
    }

    /// <summary>Whether the reply is a null (RESP2 <c>$-1</c>, RESP3 <c>_</c>).</summary>
    public static bool IsNull(ReadOnlySpan<byte> reply) => reply.StartsWith("$-1\r\n"u8) || reply.StartsWith("_\r\n"u8);

    /// <summary>
    /// SCAN's reply <c>*2 $n cursor *m …</c>: its cursor, and where the key array starts; false for an error.
    /// </summary>
    public static bool TryScanCursor(ReadOnlySpan<byte> reply, out ulong cursor, out int rest)
    {
        cursor = 0;
        rest = 0;
        if (!reply.StartsWith("*2\r\n$"u8))
        {
            return false;
        }
        ReadOnlySpan<byte> lengthLine = Line(reply[5..]);
        if (!Int64Text.TryParse(lengthLine, out long length) || length <= 0)
        {
            return false;
        }
        int start = 5 + lengthLine.Length + 2;
        if (reply.Length < start + length + 2
            || !ulong.TryParse(reply.Slice(start, (int)length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out cursor))
        {
            return false;
        }
        rest = start + (int)length + 2;
        return true;
    }

    /// <summary>The text before the first CR.</summary>
    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> text)
    {
        int end = text.IndexOf((byte)'\r');
        return end < 0 ? text : text[..end];
    }
}
