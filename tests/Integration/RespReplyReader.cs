using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// Reads whole RESP replies (RESP2, and RESP3's types but attributes) from a socket, keeping each reply's exact
/// bytes. Reads wait as long as the socket's ReceiveTimeout allows; a closed connection is an <see cref="IOException"/>
/// and a malformed reply an <see cref="InvalidDataException"/>.
/// </summary>
public sealed class RespReplyReader
{
    private const int MaxDepth = 32;
    private const int MaxLine = 1 << 20;
    private const int MaxBulk = 64 << 20;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly MemoryStream _frame = new();
    private int _position;
    private int _length;

    /// <summary>A reader of <paramref name="socket"/>, which must have a ReceiveTimeout.</summary>
    public RespReplyReader(Socket socket)
    {
        if (socket.ReceiveTimeout <= 0)
        {
            throw new ArgumentException("every socket read needs a timeout", nameof(socket));
        }
        _socket = socket;
    }

    /// <summary>The next whole reply.</summary>
    public RespValue Read()
    {
        _frame.SetLength(0);
        return ReadValue(0);
    }

    private RespValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"replies nested deeper than {MaxDepth}");
        }
        int start = (int)_frame.Length;
        byte[] line = ReadLine();
        if (line.Length == 0)
        {
            throw new InvalidDataException("an empty reply line");
        }
        char type = (char)line[0];
        byte[] rest = line[1..];
        switch (type)
        {
            case '+' or '-' or ':' or '_' or ',' or '#' or '(':
                return new RespValue(type, Slice(start), type == '_' ? null : rest, null);
            case '$' or '!' or '=':
            {
                long length = Length(rest);
                if (length < 0)
                {
                    return new RespValue(type, Slice(start), null, null);
                }
                if (length > MaxBulk)
                {
                    throw new InvalidDataException($"a bulk of {length} bytes");
                }
                byte[] content = ReadBytes((int)length + 2);
                if (content[^2] != '\r' || content[^1] != '\n')
                {
                    throw new InvalidDataException("a bulk not ended by CRLF");
                }
                return new RespValue(type, Slice(start), content[..^2], null);
            }
            case '*' or '~' or '>' or '%':
            {
                long count = Length(rest);
                if (count < 0)
                {
                    return new RespValue(type, Slice(start), null, null);
                }
                if (type == '%')
                {
                    count *= 2;
                }
                var elements = new List<RespValue>();
                for (long i = 0; i < count; i++)
                {
                    elements.Add(ReadValue(depth + 1));
                }
                return new RespValue(type, Slice(start), null, elements);
            }
            default:
                throw new InvalidDataException($"unknown reply type: {RespValue.Readable(line)}");
        }
    }

    private static long Length(byte[] text)
    {
        if (!long.TryParse(Encoding.ASCII.GetString(text), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long length) || length < -1)
        {
            throw new InvalidDataException($"a bad length: {RespValue.Readable(text)}");
        }
        return length;
    }

    private byte[] Slice(int start) => _frame.GetBuffer().AsSpan(start, (int)_frame.Length - start).ToArray();

    /// <summary>A line without its CRLF (the CRLF goes into the frame too).</summary>
    private byte[] ReadLine()
    {
        var line = new List<byte>();
        while (true)
        {
            byte b = ReadByte();
            if (b == '\n' && line.Count > 0 && line[^1] == '\r')
            {
                line.RemoveAt(line.Count - 1);
                return [.. line];
            }
            if (line.Count >= MaxLine)
            {
                throw new InvalidDataException($"a reply line longer than {MaxLine} bytes");
            }
            line.Add(b);
        }
    }

    private byte[] ReadBytes(int count)
    {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = ReadByte();
        }
        return bytes;
    }

    private byte ReadByte()
    {
        if (_position == _length)
        {
            // Bounded by the socket's ReceiveTimeout: a SocketException (TimedOut) when nothing comes.
            int received = _socket.Receive(_buffer);
            if (received == 0)
            {
                throw new IOException("the server closed the connection");
            }
            _position = 0;
            _length = received;
        }
        byte b = _buffer[_position++];
        _frame.WriteByte(b);
        return b;
    }
}
