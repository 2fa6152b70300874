using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Faults.Clients;

/// <summary>
/// A blocking RESP connection for a campaign client's thread: one request at a time, every send and receive bounded
/// by the timeout given at connect (a timeout throws <see cref="IOException"/>, and the link must be dropped: its
/// answer may still arrive).
/// </summary>
internal sealed class RespLink : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespLink(Socket socket) => _socket = socket;

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and authenticates with <paramref name="password"/> when given.</summary>
    public static RespLink Connect(string host, int port, string? password, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)timeout.TotalMilliseconds,
            SendTimeout = (int)timeout.TotalMilliseconds,
        };
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            socket.ConnectAsync(host, port, cancel.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException e)
        {
            socket.Dispose();
            throw new IOException($"connecting to {host}:{port} timed out", e);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"connecting to {host}:{port}: {e.SocketErrorCode}", e);
        }
        var link = new RespLink(socket);
        if (password is not null)
        {
            RespAnswer auth = link.Call("AUTH", password);
            if (!auth.IsStatus("OK"))
            {
                link.Dispose();
                throw new IOException($"AUTH answered {auth}");
            }
        }
        return link;
    }

    /// <summary>Sends one command and reads its reply (an array's elements are read and dropped).</summary>
    public RespAnswer Call(params string[] arguments)
    {
        var request = new StringBuilder();
        request.Append('*').Append(arguments.Length).Append("\r\n");
        foreach (string argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }
        byte[] bytes = Encoding.UTF8.GetBytes(request.ToString());
        try
        {
            int sent = 0;
            while (sent < bytes.Length)
            {
                sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
            }
            return Read();
        }
        catch (SocketException e)
        {
            throw new IOException($"{arguments[0]}: {e.SocketErrorCode}", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    private RespAnswer Read()
    {
        string line = ReadLine();
        char type = line[0];
        string rest = line[1..];
        switch (type)
        {
            case '+' or '-' or ':':
                return new RespAnswer(type, rest);
            case '_':
                return new RespAnswer('_', null);
            case '$':
                int length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return new RespAnswer('$', null);
                }
                byte[] value = ReadExactly(length + 2);
                return new RespAnswer('$', Encoding.UTF8.GetString(value, 0, length));
            case '*':
                int count = int.Parse(rest, CultureInfo.InvariantCulture);
                for (int i = 0; i < count; i++)
                {
                    Read();
                }
                return new RespAnswer('*', null);
            default:
                throw new IOException($"unexpected reply line '{line}'");
        }
    }

    private string ReadLine()
    {
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline > _start && _buffer[newline - 1] == '\r')
            {
                string line = Encoding.UTF8.GetString(_buffer, _start, newline - 1 - _start);
                _start = newline + 1;
                return line;
            }
            Fill();
        }
    }

    private byte[] ReadExactly(int count)
    {
        byte[] result = new byte[count];
        int copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                Fill();
            }
            int take = Math.Min(count - copied, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, copied, take);
            _start += take;
            copied += take;
        }
        return result;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            throw new IOException("a reply line longer than 64 KiB");
        }
        int read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }
        _end += read;
    }
}
