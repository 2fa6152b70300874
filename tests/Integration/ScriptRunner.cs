using System.Net.Sockets;
using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Runs a reply script against a server, one command at a time on one connection, and returns each command's
/// reply in comparable form (<see cref="ScriptMode"/>). A command that gets no reply (closed connection, 10 s
/// without an answer, a malformed reply) gets a note in parentheses instead, which no RESP reply can equal, and
/// the script goes on on a new connection; after <see cref="MaxFailures"/> of those the rest is not run.
/// </summary>
public static class ScriptRunner
{
    /// <summary>Commands without a reply after which the rest of the script is skipped.</summary>
    public const int MaxFailures = 5;

    /// <summary>Ordinal order of byte strings.</summary>
    private static readonly Comparer<byte[]> ByteOrder = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));

    /// <summary>Rounds after which a SCAN loop that has not reached cursor 0 counts as a failure.</summary>
    private const int MaxScanRounds = 10_000;

    /// <summary>Whether <paramref name="reply"/> is a note of <see cref="Run"/>'s (no reply came), not a reply.</summary>
    public static bool IsNote(byte[] reply) => reply.Length > 0 && reply[0] == '(';

    /// <summary>The comparable reply of every command of <paramref name="script"/>, run against 127.0.0.1:<paramref name="port"/>.</summary>
    public static IReadOnlyList<byte[]> Run(int port, IReadOnlyList<ScriptLine> script)
    {
        var replies = new List<byte[]>(script.Count);
        Socket? socket = null;
        RespReplyReader? reader = null;
        int failures = 0;
        try
        {
            foreach (ScriptLine line in script)
            {
                if (failures >= MaxFailures)
                {
                    replies.Add(Note($"not run: {MaxFailures} commands before it got no reply"));
                    continue;
                }
                try
                {
                    socket ??= RawResp.Connect(port);
                    reader ??= new RespReplyReader(socket);
                    replies.Add(Execute(socket, reader, line));
                }
                catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
                {
                    replies.Add(Note($"no reply: {e.GetType().Name}: {e.Message}"));
                    failures++;
                    socket?.Dispose();
                    socket = null;
                    reader = null;
                }
            }
        }
        finally
        {
            socket?.Dispose();
        }
        return replies;
    }

    private static byte[] Execute(Socket socket, RespReplyReader reader, ScriptLine line)
    {
        switch (line.Mode)
        {
            case ScriptMode.Unordered:
            {
                RespValue reply = Send(socket, reader, line.Encode());
                return reply.Type == '*' && reply.Elements is { } elements ? ArrayOf(elements.Select(e => e.Raw).Order(ByteOrder)) : reply.Raw;
            }
            case ScriptMode.ScanLoop:
                return ScanLoop(socket, reader, line);
            default:
                return Send(socket, reader, line.Encode()).Raw;
        }
    }

    /// <summary>SCAN from the line's cursor to cursor 0; the sorted union of the keys, or the first reply that is not a page.</summary>
    private static byte[] ScanLoop(Socket socket, RespReplyReader reader, ScriptLine line)
    {
        var arguments = line.Arguments.ToArray();
        var keys = new SortedSet<byte[]>(ByteOrder);
        for (int round = 0; round < MaxScanRounds; round++)
        {
            RespValue reply = Send(socket, reader, ScriptLine.Encode(arguments));
            if (reply is not { Type: '*', Elements: [{ Type: '$', Payload: { } cursor }, { Type: '*', Elements: { } page }] })
            {
                return reply.Raw;
            }
            foreach (RespValue key in page)
            {
                keys.Add(key.Raw);
            }
            if (cursor is [(byte)'0'])
            {
                return ArrayOf(keys);
            }
            arguments[1] = cursor;
        }
        throw new InvalidDataException($"SCAN did not reach cursor 0 in {MaxScanRounds} rounds");
    }

    private static RespValue Send(Socket socket, RespReplyReader reader, byte[] request)
    {
        socket.Send(request);
        return reader.Read();
    }

    private static byte[] ArrayOf(IEnumerable<byte[]> elements)
    {
        byte[][] all = [.. elements];
        using var array = new MemoryStream();
        array.Write(Encoding.ASCII.GetBytes($"*{all.Length}\r\n"));
        foreach (byte[] element in all)
        {
            array.Write(element);
        }
        return array.ToArray();
    }

    private static byte[] Note(string text) => Encoding.UTF8.GetBytes($"({text})");
}
