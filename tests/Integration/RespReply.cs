using System.Globalization;

namespace EchoCache.Tests.Integration;

/// <summary>One RESP2 reply as <see cref="RespConnection"/> reads it.</summary>
/// <param name="Type">Its type byte: '+' status, '-' error, ':' integer, '$' bulk string, '*' array.</param>
/// <param name="Text">A status's, error's or bulk string's text (UTF-8); null for a nil bulk string or array, an integer, an array.</param>
/// <param name="Integer">An integer's value.</param>
/// <param name="Items">An array's elements; null for a nil array and for every other type.</param>
internal readonly record struct RespReply(char Type, string? Text, long Integer, RespReply[]? Items)
{
    /// <summary>An error reply ("-ERR …").</summary>
    public bool IsError => Type == '-';

    /// <summary>A nil bulk string or nil array.</summary>
    public bool IsNil => Type is '$' or '*' && Text is null && Items is null;

    /// <summary>A status reply with this text ("+OK").</summary>
    public bool IsStatus(string text) => Type == '+' && Text == text;

    /// <summary>As redis-cli would print it, on one line.</summary>
    public override string ToString() => Type switch
    {
        '+' => Text!,
        '-' => $"(error) {Text}",
        ':' => $"(integer) {Integer.ToString(CultureInfo.InvariantCulture)}",
        '$' => Text is null ? "(nil)" : $"\"{Text}\"",
        _ => Items is null ? "(nil)" : $"[{string.Join(", ", Items)}]",
    };
}
