using System.Buffers.Binary;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Client;

// One method per client command. Each returns the reply frame(s) with their status: a missing key is
// a NotFound reply, not an exception; only a failed connection throws.
public sealed partial class EchoClient
{
    /// <summary>
    /// Authenticates the connection (binary AUTH): OK, AUTH_FAILED for a wrong user or password, BUSY while the server
    /// refuses attempts after too many failures. A server without a password answers OK to anything.
    /// </summary>
    public Task<EchoReply> AuthenticateAsync(string? user, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        return SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Auth },
            System.Text.Encoding.UTF8.GetBytes(user ?? ""), System.Text.Encoding.UTF8.GetBytes(password), cancellationToken);
    }

    /// <summary>Reads a key (values come back decompressed).</summary>
    public Task<EchoReply> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Get }, key, default, cancellationToken);

    /// <summary>Stores a value; <paramref name="timeToLive"/> null or zero keeps it until deleted or evicted.</summary>
    public Task<EchoReply> SetAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, TimeSpan? timeToLive = null,
        uint itemFlags = 0, CancellationToken cancellationToken = default) =>
        SendOneAsync(Store(BinaryOpcode.Set, timeToLive, itemFlags), key, value, cancellationToken);

    /// <summary>Stores a value only if the key holds none.</summary>
    public Task<EchoReply> AddAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default) =>
        SendOneAsync(Store(BinaryOpcode.Add, timeToLive, 0), key, value, cancellationToken);

    /// <summary>Stores a value only if the key holds one.</summary>
    public Task<EchoReply> ReplaceAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default) =>
        SendOneAsync(Store(BinaryOpcode.Replace, timeToLive, 0), key, value, cancellationToken);

    /// <summary>Stores a value only if the item's version is still <paramref name="version"/>.</summary>
    public Task<EchoReply> CompareAndSetAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ulong version,
        TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) =>
        SendOneAsync(Store(BinaryOpcode.Cas, timeToLive, 0) with { Version = version }, key, value, cancellationToken);

    /// <summary>Deletes a key (only at <paramref name="version"/>, when non-zero).</summary>
    public Task<EchoReply> DeleteAsync(ReadOnlyMemory<byte> key, ulong version = 0, CancellationToken cancellationToken = default) =>
        SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Delete, Version = version }, key, default, cancellationToken);

    /// <summary>Adds <paramref name="delta"/> to an integer value (created at 0); the reply's value holds the result.</summary>
    public Task<EchoReply> IncrementAsync(ReadOnlyMemory<byte> key, long delta = 1, CancellationToken cancellationToken = default)
    {
        byte[] counter = new byte[BinaryProtocol.CounterSize];
        BinaryPrimitives.WriteInt64LittleEndian(counter, delta);
        return SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Increment }, key, counter, cancellationToken);
    }

    /// <summary>Sets a key's time to live; null or zero removes its expiry.</summary>
    public Task<EchoReply> TouchAsync(ReadOnlyMemory<byte> key, TimeSpan? timeToLive, CancellationToken cancellationToken = default) =>
        SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Touch, Expiry = Milliseconds(timeToLive) }, key, default,
            cancellationToken);

    /// <summary>Reads many keys: one reply per key, in order, each carrying its key.</summary>
    public Task<IReadOnlyList<EchoReply>> MultiGetAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default)
    {
        int size = 0;
        foreach (byte[] key in keys) size += BinaryCodec.BatchKeySize(key.Length);
        byte[] body = new byte[size];
        int at = 0;
        foreach (byte[] key in keys)
        {
            BinaryCodec.TryWriteBatchKey(key, body.AsSpan(at), out int written);
            at += written;
        }
        return SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.MultiGet }, default, body, cancellationToken);
    }

    /// <summary>Stores many pairs with one time to live.</summary>
    public Task<EchoReply> MultiSetAsync(IReadOnlyList<KeyValuePair<byte[], byte[]>> pairs, TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        long size = 0;
        foreach (KeyValuePair<byte[], byte[]> pair in pairs) size += BinaryCodec.BatchPairSize(pair.Key.Length, pair.Value.Length);
        byte[] body = new byte[size];
        int at = 0;
        foreach (KeyValuePair<byte[], byte[]> pair in pairs)
        {
            BinaryCodec.TryWriteBatchPair(pair.Key, pair.Value, body.AsSpan(at), out int written);
            at += written;
        }
        return SendOneAsync(Store(BinaryOpcode.MultiSet, timeToLive, 0), default, body, cancellationToken);
    }

    /// <summary>Round trip; the reply echoes <paramref name="payload"/>.</summary>
    public Task<EchoReply> PingAsync(ReadOnlyMemory<byte> payload = default, CancellationToken cancellationToken = default) =>
        SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Ping }, default, payload, cancellationToken);

    /// <summary>Server counters: name → decimal text.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StatsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<EchoReply> frames = await SendAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Stats }, default, default,
            cancellationToken).ConfigureAwait(false);
        var counters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (EchoReply frame in frames)
        {
            if (frame.Key.Length > 0)
            {
                counters[System.Text.Encoding.ASCII.GetString(frame.Key)] = System.Text.Encoding.ASCII.GetString(frame.Value);
            }
        }
        return counters;
    }

    /// <summary>Removes every item.</summary>
    public Task<EchoReply> FlushAsync(CancellationToken cancellationToken = default) =>
        SendOneAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.Flush }, default, default, cancellationToken);

    private static BinaryFrameHeader Store(BinaryOpcode opcode, TimeSpan? timeToLive, uint itemFlags) => new()
    {
        Opcode = opcode,
        Expiry = Milliseconds(timeToLive),
        ItemFlags = itemFlags,
    };

    private static long Milliseconds(TimeSpan? timeToLive) =>
        timeToLive is { } ttl && ttl > TimeSpan.Zero ? Math.Max(1, (long)ttl.TotalMilliseconds) : 0;
}
