using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Tests.Integration;

/// <summary>
/// RESP over a bare socket, for tests that must control exactly what goes out and in (one write per batch, no
/// client library's own allocations or probes in the way).
/// </summary>
internal static class RawResp
{
    /// <summary>A connected socket to 127.0.0.1:<paramref name="port"/>, reads bounded by 10 s.</summary>
    public static Socket Connect(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>One multibulk request.</summary>
    public static string Command(params string[] arguments) =>
        $"*{arguments.Length}\r\n" + string.Concat(arguments.Select(a => $"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n"));

    /// <summary>Reads exactly <paramref name="buffer"/>'s length; fails if the server closes first.</summary>
    public static void ReadExactly(Socket socket, byte[] buffer)
    {
        for (int read = 0; read < buffer.Length;)
        {
            int n = socket.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            Assert.True(n > 0, "the server closed the connection");
            read += n;
        }
    }

    /// <summary>The server's managed_allocated_bytes, from its INFO (a worker's or the orchestrator's).</summary>
    public static long ManagedAllocatedBytes(Socket socket)
    {
        socket.Send(Encoding.ASCII.GetBytes(Command("INFO")));
        var header = new List<byte>();
        byte[] one = new byte[1];
        while (header.Count < 2 || header[^2] != '\r' || header[^1] != '\n')
        {
            ReadExactly(socket, one);
            header.Add(one[0]);
        }
        Assert.Equal((byte)'$', header[0]);
        int length = int.Parse(Encoding.ASCII.GetString([.. header[1..^2]]), CultureInfo.InvariantCulture);
        byte[] body = new byte[length + 2];
        ReadExactly(socket, body);
        const string Field = "managed_allocated_bytes:";
        string line = Encoding.ASCII.GetString(body).Split("\r\n").Single(l => l.StartsWith(Field, StringComparison.Ordinal));
        return long.Parse(line[Field.Length..], CultureInfo.InvariantCulture);
    }
}
