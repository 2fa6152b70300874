using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EchoCache.Load.Flood;

/// <summary>
/// Writes far more than the cache holds, through one server (the orchestrator), and records what became of every
/// write: <see cref="Connections"/> RESP connections, each sending batches of <see cref="Pipeline"/> SETs and reading
/// every reply before the next batch. Keys are new (<c>flood:&lt;connection&gt;:&lt;n&gt;</c>), one in
/// <see cref="ExpiringShare"/> with EX 3600; values are incompressible bytes (slices of one random megabyte), their
/// lengths log-uniform from <see cref="MinValue"/> to <see cref="MaxValue"/>, so that items fall in many size classes.
/// Every socket operation has a timeout; a connection that fails or a reply other than +OK is counted, never retried.
/// </summary>
public sealed class MemoryFlood(IPEndPoint server)
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connections writing at once. Default 4.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>SETs per batch. Default 32.</summary>
    public int Pipeline { get; init; } = 32;

    /// <summary>Shortest value, in bytes. Default 16.</summary>
    public int MinValue { get; init; } = 16;

    /// <summary>Longest value, in bytes. Default 16 KiB.</summary>
    public int MaxValue { get; init; } = 16 * 1024;

    /// <summary>One key in this many gets EX 3600 (0: none). Default 8.</summary>
    public int ExpiringShare { get; init; } = 8;

    /// <summary>Value bytes written so far, over every connection.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytes);

    /// <summary>SETs acknowledged (+OK) so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    private long _bytes;
    private long _sent;
    private long _acknowledged;
    private long _refused;
    private int _failedConnections;
    private string? _firstProblem;

    /// <summary>
    /// Writes until <paramref name="bytes"/> value bytes have been sent or <paramref name="duration"/> has passed,
    /// whichever comes first (or <paramref name="cancellationToken"/> fires).
    /// </summary>
    public async Task<FloodResult> RunAsync(long bytes, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        byte[] random = new byte[1 << 20];
        new Random(12345).NextBytes(random);
        var elapsed = Stopwatch.StartNew();
        Task[] writers = [.. Enumerable.Range(0, Connections).Select(connection => Task.Factory.StartNew(
            () => Write(connection, random, bytes, duration, elapsed, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        await Task.WhenAll(writers).ConfigureAwait(false);
        return new FloodResult(Interlocked.Read(ref _sent), Acknowledged, Interlocked.Read(ref _refused), _failedConnections,
            BytesWritten, elapsed.Elapsed, _firstProblem);
    }

    private void Write(int connection, byte[] random, long target, TimeSpan duration, Stopwatch elapsed, CancellationToken cancellationToken)
    {
        var rng = new Random(connection + 1);
        var request = new MemoryStream();
        byte[] replies = new byte[64 * 1024];
        double logMin = Math.Log(MinValue), logMax = Math.Log(MaxValue);
        long sequence = 0;
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
                ReceiveTimeout = (int)IoTimeout.TotalMilliseconds,
                SendTimeout = (int)IoTimeout.TotalMilliseconds,
            };
            using (var connecting = new CancellationTokenSource(IoTimeout))
            {
                socket.ConnectAsync(server, connecting.Token).AsTask().GetAwaiter().GetResult();
            }
            while (BytesWritten < target && elapsed.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                request.SetLength(0);
                long batchBytes = 0;
                for (int i = 0; i < Pipeline; i++)
                {
                    int length = (int)Math.Exp(logMin + (rng.NextDouble() * (logMax - logMin)));
                    int offset = rng.Next(random.Length - length);
                    bool expiring = ExpiringShare > 0 && sequence % ExpiringShare == 0;
                    AppendSet(request, $"flood:{connection}:{sequence++}", random.AsSpan(offset, length), expiring);
                    batchBytes += length;
                }
                socket.Send(request.GetBuffer().AsSpan(0, (int)request.Length));
                Interlocked.Add(ref _sent, Pipeline);
                Interlocked.Add(ref _bytes, batchBytes);
                ReadReplies(socket, replies, Pipeline);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref _failedConnections);
            Interlocked.CompareExchange(ref _firstProblem, $"connection {connection} failed: {e.Message}", null);
        }
    }

    /// <summary>Reads <paramref name="count"/> one-line replies, counting +OK and every other one.</summary>
    private void ReadReplies(Socket socket, byte[] buffer, int count)
    {
        int start = 0, end = 0;
        while (count > 0)
        {
            int newline = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8);
            if (newline < 0)
            {
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    throw new IOException("a reply line longer than 64 KiB");
                }
                int read = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("the server closed the connection");
                }
                end += read;
                continue;
            }
            ReadOnlySpan<byte> line = buffer.AsSpan(start, newline);
            if (line.SequenceEqual("+OK"u8))
            {
                Interlocked.Increment(ref _acknowledged);
            }
            else
            {
                Interlocked.Increment(ref _refused);
                Interlocked.CompareExchange(ref _firstProblem, $"a SET was answered {Encoding.UTF8.GetString(line)}", null);
            }
            start += newline + 2;
            count--;
        }
    }

    private static void AppendSet(MemoryStream request, string key, ReadOnlySpan<byte> value, bool expiring)
    {
        request.Write(expiring ? "*5\r\n"u8 : "*3\r\n"u8);
        AppendBulk(request, "SET"u8);
        AppendBulk(request, Encoding.UTF8.GetBytes(key));
        AppendBulk(request, value);
        if (expiring)
        {
            AppendBulk(request, "EX"u8);
            AppendBulk(request, "3600"u8);
        }
    }

    private static void AppendBulk(MemoryStream request, ReadOnlySpan<byte> bytes)
    {
        Span<byte> number = stackalloc byte[20];
        Utf8Formatter.TryFormat(bytes.Length, number, out int digits);
        request.WriteByte((byte)'$');
        request.Write(number[..digits]);
        request.Write("\r\n"u8);
        request.Write(bytes);
        request.Write("\r\n"u8);
    }
}
