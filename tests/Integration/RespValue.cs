using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>One RESP reply as read by <see cref="RespReplyReader"/>: its exact bytes, and its parts.</summary>
/// <param name="Type">The type byte: '+', '-', ':', '$', '*', or a RESP3 one.</param>
/// <param name="Raw">The reply's bytes exactly as they came, nested replies included.</param>
/// <param name="Payload">A simple line's text or a bulk's content; null for aggregates and nulls.</param>
/// <param name="Elements">An aggregate's elements (a map's keys and values in turn); null for other replies.</param>
public sealed record RespValue(char Type, byte[] Raw, byte[]? Payload, IReadOnlyList<RespValue>? Elements)
{
    /// <summary>The payload as UTF-8 text, or null.</summary>
    public string? Text => Payload is null ? null : Encoding.UTF8.GetString(Payload);

    /// <summary>
    /// <paramref name="bytes"/> as one readable line: printable ASCII as is, CR and LF as <c>\r</c> <c>\n</c>, any
    /// other byte as <c>\xHH</c>, backslash doubled. Long texts are cut after <paramref name="limit"/> characters.
    /// </summary>
    public static string Readable(byte[] bytes, int limit = 600)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes)
        {
            if (text.Length >= limit)
            {
                text.Append($"… ({bytes.Length} bytes in all)");
                break;
            }
            text.Append(b switch
            {
                (byte)'\r' => @"\r",
                (byte)'\n' => @"\n",
                (byte)'\\' => @"\\",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }
        return text.ToString();
    }
}
