using System.Buffers;
using System.Collections.Concurrent;
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
/// <para>
/// The baseline (<see cref="Reference"/>) is the same 16 keys looked up in a <see cref="ConcurrentDictionary{TKey, TValue}"/>
/// and their values copied out, with no protocol: code Echo Cache does not own, so a row's ratio to it moves when Echo
/// Cache's code does and not when the machine is faster, slower or busier. That ratio is what bench/gate compares
/// with its committed baseline file (an absolute time in a file would compare two machines).
/// </para>
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private const int Batch = 16;
    private const int Keys = 10_000;
    private const int KeySize = 16; // "key:" and 12 digits

    private CacheEngine _engine = null!;
    private RespSession _resp = null!;
    private BinarySession _binary = null!;
    private OutputBuffer _output = null!;
    private RespParser _parser = null!;
    private byte[] _respGets = null!;
    private byte[] _respSets = null!;
    private byte[] _binaryGets = null!;
    private byte[] _binarySets = null!;
    private byte[] _referenceKeys = null!;
    private readonly byte[] _referenceOutput = new byte[64];
    private ConcurrentDictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _reference;

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
        var dictionary = new ConcurrentDictionary<byte[], byte[]>(ByteContentComparer.Instance);
        for (int i = 0; i < Keys; i++)
        {
            _engine.Set(Key(i), value, default, out _);
            dictionary[Key(i)] = value.ToArray();
        }
        _reference = dictionary.GetAlternateLookup<ReadOnlySpan<byte>>();
        var referenceKeys = new ArrayBufferWriter<byte>();
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
            referenceKeys.Write(Key(i * 577 % Keys));
        }
        _referenceKeys = referenceKeys.WrittenSpan.ToArray();
        _respGets = Encoding.ASCII.GetBytes(gets.ToString());
        _respSets = Encoding.ASCII.GetBytes(sets.ToString());
        _binaryGets = binaryGets.WrittenSpan.ToArray();
        _binarySets = binarySets.WrittenSpan.ToArray();
    }

    /// <summary>Frees the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>The baseline: each key of the GET batch looked up in a ConcurrentDictionary by span, its value copied out.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int Reference()
    {
        ReadOnlySpan<byte> keys = _referenceKeys;
        int total = 0;
        for (int at = 0; at < keys.Length; at += KeySize)
        {
            if (_reference.TryGetValue(keys.Slice(at, KeySize), out byte[]? value))
            {
                value.CopyTo(_referenceOutput, 0);
                total += value.Length;
            }
        }
        return total;
    }

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
