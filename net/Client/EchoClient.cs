using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Client;

/// <summary>
/// A client of the native binary protocol: asynchronous, multiplexed and pipelined over one connection.
/// Any number of requests may be in flight; replies are matched to requests by request id. When the
/// connection fails every pending request fails with <see cref="EchoClientException"/>, and so do later ones.
/// Thread-safe.
/// </summary>
public sealed partial class EchoClient : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _receiving;
    private long _nextRequestId;
    private volatile EchoClientException? _failure;

    private EchoClient(Socket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Connects to a server (a worker or the orchestrator).</summary>
    public static async Task<EchoClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (IPAddress.TryParse(host, out IPAddress? address))
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new EchoClient(socket);
    }

    /// <summary>
    /// Connects to a server and, when <paramref name="options"/> give a password, authenticates (binary AUTH) before
    /// returning.
    /// </summary>
    /// <exception cref="EchoAuthenticationException">The server refused the password (the connection is closed).</exception>
    /// <exception cref="EchoClientException">The connection failed or the server closed it (protected mode, for one).</exception>
    public static async Task<EchoClient> ConnectAsync(string host, int port, EchoClientOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        EchoClient client = await ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        if (options.Password is null)
        {
            return client;
        }
        try
        {
            EchoReply reply = await client.AuthenticateAsync(options.User, options.Password, cancellationToken).ConfigureAwait(false);
            if (!reply.IsOk)
            {
                string reason = reply.Value.Length > 0 ? System.Text.Encoding.UTF8.GetString(reply.Value) : reply.Status.ToString();
                throw new EchoAuthenticationException($"the server refused the password: {reason}");
            }
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether the connection has failed.</summary>
    public bool IsFaulted => _failure != null;

    /// <summary>
    /// Sends one request and returns all of its reply frames (one for most opcodes; several for MGET, STATS and
    /// SNAPSHOT, the last without the More flag). The header's request id is assigned here.
    /// </summary>
    public async Task<IReadOnlyList<EchoReply>> SendAsync(BinaryFrameHeader header, ReadOnlyMemory<byte> key,
        ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        if (_failure is { } failure)
        {
            throw failure;
        }
        ulong id = (ulong)Interlocked.Increment(ref _nextRequestId);
        var pending = new PendingRequest();
        _pending[id] = pending;
        if (_failure is { } failedMeanwhile && _pending.TryRemove(id, out _))
        {
            // Fail() may have swept the pending requests just before this one was added.
            throw failedMeanwhile;
        }
        int size = BinaryProtocol.HeaderSize + key.Length + value.Length;
        byte[] frame = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            BinaryCodec.TryWriteRequest(header with { RequestId = id }, key.Span, value.Span, frame, out int written);
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                int sent = 0;
                while (sent < written)
                {
                    sent += await _socket.SendAsync(frame.AsMemory(sent, written - sent), SocketFlags.None, cancellationToken)
                        .ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail(new EchoClientException("the connection to the server failed", e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
        return await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request that has a single reply frame.</summary>
    public async Task<EchoReply> SendOneAsync(BinaryFrameHeader header, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value,
        CancellationToken cancellationToken = default) =>
        (await SendAsync(header, key, value, cancellationToken).ConfigureAwait(false))[0];

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }
                int received = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    Fail(new EchoClientException("the server closed the connection"));
                    return;
                }
                end += received;
                start += DispatchReplies(buffer.AsSpan(start, end - start));
                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidDataException)
        {
            Fail(new EchoClientException("the connection to the server failed", e));
        }
    }

    /// <summary>Completes requests from the whole reply frames at the start of <paramref name="input"/>.</summary>
    private int DispatchReplies(ReadOnlySpan<byte> input)
    {
        int total = 0;
        while (true)
        {
            OperationStatus status = BinaryCodec.TryParseReply(input[total..], out BinaryFrame frame, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                return total;
            }
            if (status == OperationStatus.InvalidData)
            {
                throw new InvalidDataException("malformed reply from the server: " + System.Text.Encoding.ASCII.GetString(frame.ErrorText));
            }
            total += consumed;
            BinaryFrameHeader header = frame.Header;
            if (header.Opcode == BinaryOpcode.ConnectionError)
            {
                // The server found the stream unusable and is closing: say why to every request in flight.
                throw new InvalidDataException("the server is closing the connection: " +
                    System.Text.Encoding.ASCII.GetString(frame.Value));
            }
            if (!_pending.TryGetValue(header.RequestId, out PendingRequest? pending))
            {
                continue; // a reply to a request that was cancelled
            }
            pending.Frames.Add(new EchoReply
            {
                Status = header.Status,
                Flags = header.Flags,
                Version = header.Version,
                ItemFlags = header.ItemFlags,
                Expiry = header.Expiry,
                Key = frame.Key.ToArray(),
                Value = frame.Value.ToArray(),
            });
            if (!header.Has(BinaryFrameFlags.More))
            {
                _pending.TryRemove(header.RequestId, out _);
                pending.TrySetResult(pending.Frames);
            }
        }
    }

    private void Fail(EchoClientException failure)
    {
        _failure ??= failure;
        foreach (ulong id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out PendingRequest? pending))
            {
                pending.TrySetException(_failure);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Dispose();
        try
        {
            await _receiving.ConfigureAwait(false);
        }
        catch (EchoClientException)
        {
            // Closing is the expected end of the receive loop.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Fail(new EchoClientException("the client was disposed"));
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
