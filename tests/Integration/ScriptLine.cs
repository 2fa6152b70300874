using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>One command of a reply script (<see cref="ReplyScript"/>), with where it came from.</summary>
/// <param name="Index">Its position among the script's commands, from 0.</param>
/// <param name="LineNumber">Its line in the script file, from 1.</param>
/// <param name="Mode">How its reply is compared.</param>
/// <param name="Arguments">The command and its arguments, as sent.</param>
/// <param name="Text">The line as written in the script (prefix included), for messages.</param>
public sealed record ScriptLine(int Index, int LineNumber, ScriptMode Mode, IReadOnlyList<byte[]> Arguments, string Text)
{
    /// <summary>The command's name, upper case (e.g. "SET"), for summaries.</summary>
    public string Name => Encoding.UTF8.GetString(Arguments[0]).ToUpperInvariant();

    /// <summary>The request as a RESP multibulk.</summary>
    public byte[] Encode() => Encode(Arguments);

    /// <summary><paramref name="arguments"/> as a RESP multibulk.</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> arguments)
    {
        using var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes($"*{arguments.Count}\r\n"));
        foreach (byte[] argument in arguments)
        {
            request.Write(Encoding.ASCII.GetBytes($"${argument.Length}\r\n"));
            request.Write(argument);
            request.Write("\r\n"u8);
        }
        return request.ToArray();
    }
}
