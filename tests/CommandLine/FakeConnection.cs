using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EchoCache.CommandLine;
using EchoCache.Net.Client;
using EchoCache.Net.Protocol;

namespace EchoCache.Tests.CommandLine;

/// <summary>
/// An in-memory stand-in for the cluster, behind the CLI's <see cref="ICacheConnection"/>: it stores what set
/// sends, and fails on demand (unreachable, a dropped connection, a given status) so every path of the dialogue
/// and the one-shot form can be driven without a process.
/// </summary>
internal sealed class FakeConnection(FixedClock clock) : ICacheConnection
{
    private readonly Dictionary<string, (byte[] Value, long ExpiresAtUnixMs)> _items = new(StringComparer.Ordinal);
    private int _attempts;

    public string Endpoint => "127.0.0.1:8000";

    /// <summary>How many connections were opened (refused attempts not counted).</summary>
    public int Connects { get; private set; }

    /// <summary>Commands the server received, in order (including those whose reply was lost).</summary>
    public List<CliCommand> Received { get; } = [];

    /// <summary>Given the number of a connection attempt (1 for the first), the reason it fails with, or null.</summary>
    public Func<int, string?> RefuseConnect { get; set; } = _ => null;

    /// <summary>Reasons for the next commands to lose the connection with, after they were applied.</summary>
    public Queue<string> LostReplies { get; } = new();

    /// <summary>A status every command is answered with instead of executing it (Ok: execute).</summary>
    public BinaryStatus ForcedStatus { get; set; }

    /// <summary>The reason sent with <see cref="ForcedStatus"/>.</summary>
    public string ForcedReason { get; set; } = "";

    public void Put(string key, string value, long expiresAtUnixMs = 0) => _items[key] = (Encoding.UTF8.GetBytes(value), expiresAtUnixMs);

    public string? Peek(string key) => _items.TryGetValue(key, out var item) ? Encoding.UTF8.GetString(item.Value) : null;

    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        _attempts++;
        if (RefuseConnect(_attempts) is { } reason)
        {
            throw new ClusterUnreachableException(reason);
        }
        Connects++;
        return Task.CompletedTask;
    }

    public Task<EchoReply> ExecuteAsync(CliCommand command, CancellationToken cancellationToken = default)
    {
        Assert.True(Connects > 0, "a command was sent before connecting");
        Received.Add(command);
        EchoReply reply = ForcedStatus != BinaryStatus.Ok
            ? new EchoReply { Status = ForcedStatus, Value = Encoding.ASCII.GetBytes(ForcedReason) }
            : Apply(command);
        if (LostReplies.TryDequeue(out string? lost))
        {
            throw new ConnectionLostException(lost);
        }
        return Task.FromResult(reply);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private EchoReply Apply(CliCommand command)
    {
        string key = command.Key;
        bool found = _items.TryGetValue(key, out var item);
        switch (command.Kind)
        {
            case CliCommandKind.Set:
                long expiry = command.TimeToLive is { } ttl ? clock.UnixMs + (long)ttl.TotalMilliseconds : 0;
                _items[key] = (Encoding.UTF8.GetBytes(command.Value), expiry);
                return Ok();
            case CliCommandKind.Get or CliCommandKind.TimeToLive:
                return found ? new EchoReply { Status = BinaryStatus.Ok, Value = item.Value, Expiry = item.ExpiresAtUnixMs } : NotFound();
            case CliCommandKind.Delete:
                return _items.Remove(key) ? Ok() : NotFound();
            case CliCommandKind.Increment or CliCommandKind.Decrement:
                long current = 0;
                if (found && !long.TryParse(Encoding.UTF8.GetString(item.Value), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out current))
                {
                    return new EchoReply { Status = BinaryStatus.NotANumber };
                }
                long next = current + command.Delta;
                _items[key] = (Encoding.UTF8.GetBytes(next.ToString(CultureInfo.InvariantCulture)), found ? item.ExpiresAtUnixMs : 0);
                byte[] counter = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(counter, next);
                return new EchoReply { Status = BinaryStatus.Ok, Value = counter };
            default:
                throw new InvalidOperationException($"{command.Kind} is not sent to the server");
        }
    }

    private static EchoReply Ok() => new() { Status = BinaryStatus.Ok };

    private static EchoReply NotFound() => new() { Status = BinaryStatus.NotFound };
}
