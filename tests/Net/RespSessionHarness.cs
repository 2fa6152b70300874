using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;
using EchoCache.Tests.Engine;

namespace EchoCache.Tests.Net;

/// <summary>
/// A <see cref="RespSession"/> over a real 16 MiB engine on a manual clock, driven without sockets: requests go
/// in as bytes, replies come out as text (Latin-1, so every byte shows as one char).
/// </summary>
internal sealed class RespSessionHarness : IDisposable
{
    public RespSessionHarness(int compressionThreshold = 4096, int outputSize = 64 * 1024, int highWater = 1 << 20)
    {
        Engine = new CacheEngine(new EngineOptions { MemoryLimit = 16L << 20, CompressionThreshold = compressionThreshold }, Clock);
        Session = new RespSession(Engine, Stats);
        Output = new OutputBuffer(outputSize, highWater);
    }

    public ManualClock Clock { get; } = new();

    public CacheEngine Engine { get; }

    public WorkerStats Stats { get; } = new();

    public RespSession Session { get; private set; }

    public OutputBuffer Output { get; }

    /// <summary>Sends one command as a multibulk request; it must be consumed whole. Returns the reply.</summary>
    public string Send(params string[] arguments) => SendRaw(RespFrames.Command(arguments));

    /// <summary>Sends one command whose arguments are bytes.</summary>
    public string Send(params byte[][] arguments) => SendRaw(RespFrames.Command(arguments));

    /// <summary>Sends raw input that must be consumed whole; returns everything written.</summary>
    public string SendRaw(string input) => SendRaw(RespFrames.Ascii(input));

    public string SendRaw(byte[] input)
    {
        int consumed = Session.Process(input, Output);
        Assert.Equal(input.Length, consumed);
        return Drain();
    }

    /// <summary>Takes what the session wrote, as the socket loop's send would.</summary>
    public string Drain() => Encoding.Latin1.GetString(DrainBytes());

    public byte[] DrainBytes()
    {
        byte[] written = Output.Bytes.AsSpan(Output.SentOffset, Output.Pending).ToArray();
        Output.MarkSent(Output.Pending);
        return written;
    }

    /// <summary>A second connection on the same engine.</summary>
    public RespSession NewSession() => new(Engine, Stats);

    /// <summary>Starts over with a fresh connection (e.g. after QUIT), keeping the engine.</summary>
    public void Reconnect() => Session = NewSession();

    public void Dispose() => Engine.Dispose();

    /// <summary>A bulk string reply.</summary>
    public static string Bulk(string value) => $"${Encoding.Latin1.GetByteCount(value)}\r\n{value}\r\n";

    /// <summary>An integer reply.</summary>
    public static string Int(long value) => $":{value}\r\n";

    /// <summary>An error reply.</summary>
    public static string Err(string message) => $"-{message}\r\n";

    /// <summary>An array of bulk strings.</summary>
    public static string BulkArray(params string[] values) => $"*{values.Length}\r\n" + string.Concat(values.Select(Bulk));

    public const string Ok = "+OK\r\n";
    public const string Nil = "$-1\r\n";
    public const string Null3 = "_\r\n";
    public const string EmptyBulk = "$0\r\n\r\n";
    public const string EmptyArray = "*0\r\n";
}
