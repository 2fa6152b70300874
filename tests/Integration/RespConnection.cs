using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// A RESP2 client on one blocking loopback socket, for tests that must record what became of every request: one
/// request at a time, and every connect, send and read bounded by a timeout. Any failure — a timeout, the server
/// closing, a reply that is not RESP — throws (<see cref="IOException"/> or <see cref="SocketException"/>) and
/// leaves the connection unusable: the request's outcome is unknown, and the caller opens a new connection.
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespConnection(Socket socket) => _socket = socket;

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/>, from <paramref name="from"/> when given (another loopback address
    /// such as 127.0.0.2 looks remote to a server in protected mode); every later send and read waits at most
    /// <paramref name="timeout"/>.
    /// </summary>
    public static RespConnection Connect(int port, TimeSpan timeout, IPAddress? from = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)timeout.TotalMilliseconds,
            SendTimeout = (int)timeout.TotalMilliseconds,
        };
        try
        {
            if (from != null)
            {
                socket.Bind(new IPEndPoint(from, 0));
            }
            using var connecting = new CancellationTokenSource(timeout);
            socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), connecting.Token).AsTask().GetAwaiter().GetResult();
            return new RespConnection(socket);
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            throw new IOException($"could not connect to port {port} within {timeout.TotalSeconds:0.#} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply.</summary>
    public RespReply Call(params string[] arguments)
    {
        var request = new StringBuilder();
        request.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (string argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }
        byte[] bytes = Encoding.UTF8.GetBytes(request.ToString());
        for (int sent = 0; sent < bytes.Length;)
        {
            sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
        }
        return ReadReply();
    }

    /// <summary>The port this end of the connection was given (the server's CLIENT LIST shows it in addr=).</summary>
    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>
    /// Reads, with no reply owed, until the server closes the connection: true when the read sees the close (end of
    /// stream, or a reset), false when a byte arrives instead. Nothing arriving within the timeout throws.
    /// </summary>
    public bool ReadSeesClose()
    {
        if (_start != _end)
        {
            return false;
        }
        try
        {
            return _socket.Receive(_buffer, 0, _buffer.Length, SocketFlags.None) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    private RespReply ReadReply()
    {
        char type = (char)ReadByte();
        string line = ReadLine();
        switch (type)
        {
            case '+' or '-':
                return new RespReply(type, line, 0, null);
            case ':':
                return new RespReply(type, null, ParseLength(line, type), null);
            case '$':
                long length = ParseLength(line, type);
                if (length < 0)
                {
                    return new RespReply(type, null, 0, null);
                }
                byte[] body = new byte[length];
                for (int i = 0; i < body.Length; i++)
                {
                    body[i] = ReadByte();
                }
                if (ReadByte() != '\r' || ReadByte() != '\n')
                {
                    throw new IOException("a bulk string not followed by CRLF");
                }
                return new RespReply(type, Encoding.UTF8.GetString(body), 0, null);
            case '*':
                long count = ParseLength(line, type);
                if (count < 0)
                {
                    return new RespReply(type, null, 0, null);
                }
                var items = new RespReply[count];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = ReadReply();
                }
                return new RespReply(type, null, 0, items);
            default:
                throw new IOException($"not a RESP2 reply: type byte 0x{(int)type:x2}");
        }
    }

    private static long ParseLength(string line, char type) =>
        long.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new IOException($"'{type}{line}' is not a RESP2 reply");

    private string ReadLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == '\r')
            {
                if (ReadByte() != '\n')
                {
                    throw new IOException("CR not followed by LF");
                }
                return line.ToString();
            }
            line.Append((char)b);
        }
    }

    private byte ReadByte()
    {
        if (_start == _end)
        {
            // Throws SocketException (TimedOut) when nothing arrives within the receive timeout.
            int received = _socket.Receive(_buffer, 0, _buffer.Length, SocketFlags.None);
            if (received == 0)
            {
                throw new IOException("the server closed the connection");
            }
            _start = 0;
            _end = received;
        }
        return _buffer[_start++];
    }
}
