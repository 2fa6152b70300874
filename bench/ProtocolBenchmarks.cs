using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Bench;

/// <summary>
/// The cost of a request without sockets: parse, execute against the engine, write the reply, for both
/// protocols (as Garnet's benchmarks inject requests straight into a session). Each invocation runs one
/// batch of <see cref="Batch"/> pipelined requests, as one socket read delivers them, so results read per
/// request. The parse-only rows separate codec cost from command cost. 10,000 keys of 16 bytes, 64-byte values.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private const int Batch = 16;
    private const int Keys = 10_000;

    private CacheEngine _engine = null!;
    private RespSession _resp = null!;
    private BinarySession _binary = null!;
    private OutputBuffer _output = null!;
    private RespParser _parser = null!;
    private byte[] _respGets = null!;
    private byte[] _respSets = null!;
    private byte[] _binaryGets = null!;
    private byte[] _binarySets = null!;

    /// <summary>Fills the engine and builds the request batches.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = new CacheEngine(new EngineOptions { MemoryLimit = 64L << 20 });
        var stats = new WorkerStats();
        _resp = new RespSession(_engine, stats);
        _binary = new BinarySession(_engine, stats);
        _output = new OutputBuffer(64 * 1024, 1 << 20);
        _parser = new RespParser();
        byte[] value = new byte[64];
        Random.Shared.NextBytes(value);
        for (int i = 0; i < Keys; i++)
        {
            _engine.Set(Key(i), value, default, out _);
        }
        var gets = new StringBuilder();
        var sets = new StringBuilder();
        string valueText = new('v', 64);
        var binaryGets = new ArrayBufferWriter<byte>();
        var binarySets = new ArrayBufferWriter<byte>();
        for (int i = 0; i < Batch; i++)
        {
            string key = Encoding.ASCII.GetString(Key(i * 577 % Keys));
            gets.Append($"*2\r\n$3\r\nGET\r\n${key.Length}\r\n{key}\r\n");
            sets.Append($"*3\r\n$3\r\nSET\r\n${key.Length}\r\n{key}\r\n${valueText.Length}\r\n{valueText}\r\n");
            WriteFrame(binaryGets, BinaryOpcode.Get, Key(i * 577 % Keys), default);
            WriteFrame(binarySets, BinaryOpcode.Set, Key(i * 577 % Keys), value);
        }
        _respGets = Encoding.ASCII.GetBytes(gets.ToString());
        _respSets = Encoding.ASCII.GetBytes(sets.ToString());
        _binaryGets = binaryGets.WrittenSpan.ToArray();
        _binarySets = binarySets.WrittenSpan.ToArray();
    }

    /// <summary>Frees the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>RESP GET: parse, look up, write the bulk reply.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int RespGet() => Run(_resp.Process(_respGets, _output));

    /// <summary>RESP SET.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int RespSet() => Run(_resp.Process(_respSets, _output));

    /// <summary>Binary GET.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int BinaryGet() => Run(_binary.Process(_binaryGets, _output));

    /// <summary>Binary SET.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int BinarySet() => Run(_binary.Process(_binarySets, _output));

    /// <summary>RESP parsing alone.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int RespParseOnly()
    {
        ReadOnlySpan<byte> input = _respGets;
        int total = 0;
        while (_parser.TryParse(input[total..], out _, out int consumed) == OperationStatus.Done)
        {
            total += consumed;
        }
        return total;
    }

    /// <summary>Binary parsing alone.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int BinaryParseOnly()
    {
        ReadOnlySpan<byte> input = _binaryGets;
        int total = 0;
        while (BinaryCodec.TryParseRequest(input[total..], out _, out int consumed) == OperationStatus.Done)
        {
            total += consumed;
        }
        return total;
    }

    /// <summary>Drops the replies, as a socket send would, so the buffer never grows.</summary>
    private int Run(int consumed)
    {
        _output.MarkSent(_output.Pending);
        return consumed;
    }

    private static byte[] Key(int i) => Encoding.ASCII.GetBytes($"key:{i:D12}");

    private static void WriteFrame(ArrayBufferWriter<byte> writer, BinaryOpcode opcode, byte[] key, ReadOnlySpan<byte> value)
    {
        Span<byte> span = writer.GetSpan(BinaryProtocol.HeaderSize + key.Length + value.Length);
        BinaryCodec.TryWriteRequest(new BinaryFrameHeader { Opcode = opcode }, key, value, span, out int written);
        writer.Advance(written);
    }
}
