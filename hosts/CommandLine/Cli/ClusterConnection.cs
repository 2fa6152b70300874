using System.Globalization;
using System.Net.Sockets;
using System.Text;
using EchoCache.Net.Client;

namespace EchoCache.CommandLine;

/// <summary>
/// One <see cref="EchoClient"/> connection to the orchestrator (or a worker: they speak the same protocol), with
/// the time limits a person or a script can wait: connecting and each reply are bounded, so an address that drops
/// packets or a server that hangs ends in a message instead of a CLI that never returns. With a password, each
/// connection authenticates as soon as it is open.
/// </summary>
internal sealed class ClusterConnection(string host, int port, string? password, TimeSpan connectTimeout, TimeSpan replyTimeout)
    : ICacheConnection
{
    private EchoClient? _client;

    /// <inheritdoc />
    public string Endpoint { get; } = host.Contains(':', StringComparison.Ordinal)
        ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}"
        : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <inheritdoc />
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        await CloseAsync().ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            _client = await EchoClient.ConnectAsync(host, port, new EchoClientOptions { Password = password }, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new ClusterUnreachableException(e.Message);
        }
        catch (EchoAuthenticationException e)
        {
            throw new AuthenticationFailedException(e.Message);
        }
        catch (EchoClientException e)
        {
            // The server closed the connection during AUTH (protected mode says why).
            throw new ClusterUnreachableException(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClusterUnreachableException($"no answer within {Seconds(connectTimeout)} s");
        }
    }

    /// <inheritdoc />
    public async Task<EchoReply> ExecuteAsync(CliCommand command, CancellationToken cancellationToken = default)
    {
        EchoClient client = _client ?? throw new ConnectionLostException("not connected");
        byte[] key = Encoding.UTF8.GetBytes(command.Key);
        try
        {
            Task<EchoReply> reply = command.Kind switch
            {
                CliCommandKind.Set => client.SetAsync(key, Encoding.UTF8.GetBytes(command.Value), command.TimeToLive,
                    cancellationToken: cancellationToken),
                CliCommandKind.Get or CliCommandKind.TimeToLive => client.GetAsync(key, cancellationToken),
                CliCommandKind.Delete => client.DeleteAsync(key, cancellationToken: cancellationToken),
                CliCommandKind.Increment or CliCommandKind.Decrement => client.IncrementAsync(key, command.Delta, cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(command), command.Kind, "not a command for the server"),
            };
            return await reply.WaitAsync(replyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (EchoClientException e)
        {
            throw new ConnectionLostException(e.InnerException is SocketException or InvalidDataException
                ? $"{e.Message} ({e.InnerException.Message})"
                : e.Message);
        }
        catch (TimeoutException)
        {
            // The connection's state is unknown now (the reply may still come): the next command needs a new one.
            await CloseAsync().ConfigureAwait(false);
            throw new ConnectionLostException($"no reply within {Seconds(replyTimeout)} s");
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(CloseAsync());

    private async Task CloseAsync()
    {
        if (_client is { } client)
        {
            _client = null;
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString(CultureInfo.InvariantCulture);
}
