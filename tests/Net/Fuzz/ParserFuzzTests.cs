using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using EchoCache.Net.Protocol;
using Xunit.Abstractions;

namespace EchoCache.Tests.Net.Fuzz;

/// <summary>
/// A fuzz target per parser: millions of mutated inputs, each checked for the parser's contract: no exception,
/// consumed never past the input, nothing consumed unless a frame was, and three oracles (sampled) that catch wrong
/// answers rather than crashes: every strict prefix of an accepted frame is incomplete (with a true lower-bound hint);
/// a frame parses the same without the bytes after it; an error stays an error whatever follows.
/// ECHO_FUZZ_INPUTS sets the number of inputs per parser (default 8,000,000: 2 to 5 s each here); ECHO_FUZZ_SEED
/// the seed. A failure names the seed, the input's index and its bytes.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private const long DefaultInputs = 8_000_000;

    /// <summary>A run this long must reach every error path the seeds can lead to (checked at the end).</summary>
    private const long CoverageInputs = 1_000_000;
    private const ulong DefaultSeed = 0xEC0_CAC4E;

    private static long Inputs =>
        long.TryParse(Environment.GetEnvironmentVariable("ECHO_FUZZ_INPUTS"), CultureInfo.InvariantCulture, out long n) && n > 0 ? n : DefaultInputs;

    private static ulong Seed =>
        ulong.TryParse(Environment.GetEnvironmentVariable("ECHO_FUZZ_SEED"), CultureInfo.InvariantCulture, out ulong s) ? s : DefaultSeed;

    private delegate OperationStatus BinaryParse(ReadOnlySpan<byte> input, out BinaryFrame frame, out int consumed);

    [Fact]
    public void Binary_request_parser_survives_mutated_frames()
    {
        var seeds = BinaryFrames.ValidRequests().Select(r => BinaryFrames.Request(r.Header, r.Key, r.Value)).ToList();
        seeds.Add(BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Set, RequestId = 5 }, "big"u8, new byte[1000]));
        var fuzzer = new BinaryMutationFuzzer(seeds, Seed, BinaryProtocol.RequestMagic);
        var reasons = RunBinary(fuzzer, BinaryCodec.TryParseRequest, requests: true, "binary requests");
        string[] expected =
        [
            "wrong magic byte", "reply frame sent as a request", "unsupported protocol version", "frame body over 64 MiB",
            "reserved header bytes must be 0", "status must be 0 in a request", "unknown opcode", "flag not allowed for this opcode",
            "key longer than 250 bytes", "key required", "this opcode takes no key", "this opcode takes no value",
            "value must be an 8-byte integer", "malformed key list", "key list over a limit", "malformed pair list",
            "pair list over a limit", "version required", "this opcode takes no version", "negative expiry",
            "expiry given with KeepTtl", "this opcode takes no expiry", "this opcode takes no item flags",
            "value must be empty or a 2048-byte slot bitmap",
        ];
        if (Inputs >= CoverageInputs)
        {
            Assert.Equal(expected.Order(), reasons.Order());
        }
    }

    [Fact]
    public void Binary_reply_parser_survives_mutated_frames()
    {
        var seeds = BinaryFrames.ValidReplies().Select(r => BinaryFrames.Reply(r.Header, r.Key, r.Value)).ToList();
        seeds.Add(BinaryFrames.Reply(new BinaryFrameHeader { Opcode = BinaryOpcode.Get, RequestId = 5 }, default, new byte[1000]));
        var fuzzer = new BinaryMutationFuzzer(seeds, Seed + 1, BinaryProtocol.ReplyMagic);
        var reasons = RunBinary(fuzzer, BinaryCodec.TryParseReply, requests: false, "binary replies");
        string[] expected =
        [
            "wrong magic byte", "request frame sent as a reply", "unsupported protocol version", "frame body over 64 MiB",
            "reserved header bytes must be 0", "unknown opcode", "unknown status", "flag not allowed for this opcode",
            "key longer than 250 bytes",
        ];
        if (Inputs >= CoverageInputs)
        {
            Assert.Equal(expected.Order(), reasons.Order());
        }
    }

    [Fact]
    public void Resp_parser_survives_mutated_requests()
    {
        var seeds = RespFrames.Commands().Select(c => RespFrames.Command(c)).ToList();
        seeds.Add(RespFrames.Command("SET", "big", new string('v', 1000)));
        seeds.AddRange(new[]
        {
            "PING\r\n", "SET k v\n", "GET \"quoted \\x41\\n\" 'single \\'q\\''\r\n", "  \r\n", "*0\r\n", "*-1\r\n",
            "ECHO \"a\"\v'b'\r\n",
        }.Select(RespFrames.Ascii));
        var fuzzer = new RespMutationFuzzer(seeds, Seed + 2);
        var parser = new RespParser();
        var kinds = new HashSet<RespParseErrorKind>();
        var counts = new long[4];
        byte[] scratch = new byte[16384];
        var random = new FuzzRandom(Seed + 3);
        Stopwatch clock = Stopwatch.StartNew();
        long inputs = Inputs;
        for (long n = 0; n < inputs; n++)
        {
            ReadOnlySpan<byte> input = fuzzer.Next();
            parser.RequireAuthentication = random.OneIn(8);
            try
            {
                CheckResp(parser, input, scratch, random, n % 8 == 0, kinds, counts);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"RESP input #{n} (seed {Seed + 2}, auth {parser.RequireAuthentication}): {Convert.ToHexString(input)}\n{e}");
            }
        }
        Report("RESP", inputs, clock.Elapsed, counts, kinds.Select(k => k.ToString()));
        // Every error reachable in inputs this small was reached (too big inline/request need over 64 KiB).
        RespParseErrorKind[] expected = Enum.GetValues<RespParseErrorKind>()
            .Except([RespParseErrorKind.None, RespParseErrorKind.TooBigInlineRequest, RespParseErrorKind.RequestTooLarge]).ToArray();
        if (Inputs >= CoverageInputs)
        {
            Assert.Equal(expected.Order(), kinds.Order());
        }
    }

    private HashSet<string> RunBinary(BinaryMutationFuzzer fuzzer, BinaryParse parse, bool requests, string target)
    {
        var reasons = new HashSet<string>();
        var counts = new long[4];
        byte[] scratch = new byte[16384];
        var random = new FuzzRandom(Seed + 4);
        Stopwatch clock = Stopwatch.StartNew();
        long inputs = Inputs;
        for (long n = 0; n < inputs; n++)
        {
            ReadOnlySpan<byte> input = fuzzer.Next();
            try
            {
                CheckBinary(parse, requests, input, scratch, random, n % 8 == 0, reasons, counts);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{target} input #{n} (seed {Seed}): {Convert.ToHexString(input)}\n{e}");
            }
        }
        Report(target, inputs, clock.Elapsed, counts, reasons);
        return reasons;
    }

    private static void CheckBinary(BinaryParse parse, bool requests, ReadOnlySpan<byte> input, byte[] scratch, FuzzRandom random,
        bool oracles, HashSet<string> reasons, long[] counts)
    {
        int position = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = input[position..];
            OperationStatus status = parse(rest, out BinaryFrame frame, out int consumed);
            counts[(int)status]++;
            Check.InRange(consumed, 0, rest.Length);
            switch (status)
            {
                case OperationStatus.NeedMoreData:
                    Check.Equal(0, consumed);
                    Check.InRange(frame.NeededLength, rest.Length + 1, BinaryProtocol.MaxFrameLength);
                    return;
                case OperationStatus.Done:
                    Check.Equal(frame.Header.FrameLength, consumed);
                    Check.Equal(frame.Header.KeyLength, frame.Key.Length);
                    Check.Equal(frame.Header.ValueLength, frame.Value.Length);
                    Check.InRange(frame.Key.Length, 0, BinaryProtocol.MaxKeyLength);
                    if (frame.Opcode == BinaryOpcode.MultiGet && requests)
                    {
                        int total = 0;
                        foreach (ReadOnlySpan<byte> key in frame.Keys)
                        {
                            Check.InRange(key.Length, 1, BinaryProtocol.MaxKeyLength);
                            total += BinaryCodec.BatchKeySize(key.Length);
                        }
                        Check.Equal(frame.Value.Length, total);
                    }
                    if (frame.Opcode == BinaryOpcode.MultiSet && requests)
                    {
                        long total = 0;
                        foreach (BinaryPair pair in frame.Pairs)
                        {
                            total += BinaryCodec.BatchPairSize(pair.Key.Length, pair.Value.Length);
                        }
                        Check.Equal(frame.Value.Length, total);
                    }
                    if (oracles)
                    {
                        BinaryFramedOracles(parse, rest, consumed, status, random);
                    }
                    position += consumed;
                    break;
                default:
                    Check.Equal(OperationStatus.InvalidData, status);
                    Check.True(frame.Error is BinaryStatus.BadRequest or BinaryStatus.TooLarge);
                    Check.False(frame.ErrorText.IsEmpty);
                    string reason = Encoding.ASCII.GetString(frame.ErrorText);
                    reasons.Add(reason);
                    if (consumed > 0)
                    {
                        Check.True(frame.HasHeader);
                        Check.Equal(frame.Header.FrameLength, consumed);
                        if (oracles)
                        {
                            BinaryFramedOracles(parse, rest, consumed, status, random);
                        }
                        position += consumed;
                        break;
                    }
                    if (oracles)
                    {
                        // Final: whatever follows, the same error.
                        int length = Math.Min(rest.Length, scratch.Length - 64);
                        rest[..length].CopyTo(scratch);
                        int extra = 1 + random.Next(64);
                        for (int i = 0; i < extra; i++)
                        {
                            scratch[length + i] = random.NextByte();
                        }
                        if (length == rest.Length)
                        {
                            Check.Equal(OperationStatus.InvalidData, parse(scratch.AsSpan(0, length + extra), out BinaryFrame again, out int none));
                            Check.Equal(0, none);
                            Check.Equal(reason, Encoding.ASCII.GetString(again.ErrorText));
                        }
                    }
                    return;
            }
        }
    }

    /// <summary>For a delimited frame: the same answer without what follows, and incomplete for any strict prefix.</summary>
    private static void BinaryFramedOracles(BinaryParse parse, ReadOnlySpan<byte> rest, int consumed, OperationStatus status, FuzzRandom random)
    {
        Check.Equal(status, parse(rest[..consumed], out _, out int exact));
        Check.Equal(consumed, exact);
        int prefix = random.Next(consumed);
        Check.Equal(OperationStatus.NeedMoreData, parse(rest[..prefix], out BinaryFrame partial, out int none));
        Check.Equal(0, none);
        Check.InRange(partial.NeededLength, prefix + 1, consumed);
    }

    private static void CheckResp(RespParser parser, ReadOnlySpan<byte> input, byte[] scratch, FuzzRandom random, bool oracles,
        HashSet<RespParseErrorKind> kinds, long[] counts)
    {
        int position = 0;
        while (true)
        {
            ReadOnlySpan<byte> rest = input[position..];
            OperationStatus status = parser.TryParse(rest, out RespRequest request, out int consumed);
            counts[(int)status]++;
            Check.InRange(consumed, 0, rest.Length);
            switch (status)
            {
                case OperationStatus.NeedMoreData:
                    Check.Equal(0, consumed);
                    Check.True(parser.NeededLength > rest.Length);
                    return;
                case OperationStatus.Done:
                    Check.True(consumed > 0);
                    int count = request.Count;
                    Check.InRange(count, 0, RespLimits.MaxMultibulkLength);
                    ulong digest = Digest(request);
                    if (oracles)
                    {
                        Check.Equal(OperationStatus.Done, parser.TryParse(rest[..consumed], out RespRequest again, out int exact));
                        Check.Equal(consumed, exact);
                        Check.Equal(count, again.Count);
                        Check.Equal(digest, Digest(again));
                        int prefix = random.Next(consumed);
                        Check.Equal(OperationStatus.NeedMoreData, parser.TryParse(rest[..prefix], out _, out int none));
                        Check.Equal(0, none);
                        Check.InRange(parser.NeededLength, prefix + 1, consumed);
                    }
                    position += consumed;
                    break;
                default:
                    Check.Equal(OperationStatus.InvalidData, status);
                    Check.Equal(0, consumed);
                    RespParseError error = parser.Error;
                    Check.NotEqual(RespParseErrorKind.None, error.Kind);
                    kinds.Add(error.Kind);
                    Check.True(RespWriter.TryWriteProtocolError(error, scratch, out int written));
                    Check.Equal(-1, scratch.AsSpan(0, written - 2).IndexOfAny((byte)'\r', (byte)'\n'));
                    if (oracles && rest.Length < scratch.Length - 64)
                    {
                        rest.CopyTo(scratch);
                        int extra = 1 + random.Next(64);
                        for (int i = 0; i < extra; i++)
                        {
                            scratch[rest.Length + i] = random.NextByte();
                        }
                        Check.Equal(OperationStatus.InvalidData, parser.TryParse(scratch.AsSpan(0, rest.Length + extra), out _, out int none));
                        Check.Equal(0, none);
                        Check.Equal(error.Kind, parser.Error.Kind);
                        Check.Equal(error.Got, parser.Error.Got);
                    }
                    return;
            }
        }
    }

    /// <summary>A hash of every argument (FNV-1a), to compare two parses without copying.</summary>
    private static ulong Digest(RespRequest request)
    {
        ulong hash = 14695981039346656037;
        for (int i = 0; i < request.Count; i++)
        {
            foreach (byte b in request[i])
            {
                hash = (hash ^ b) * 1099511628211;
            }
            hash = (hash ^ 0x100) * 1099511628211;
        }
        return hash;
    }

    private void Report(string target, long inputs, TimeSpan elapsed, long[] counts, IEnumerable<string> errors) =>
        output.WriteLine($"{target}: {inputs:N0} inputs in {elapsed.TotalSeconds:F1} s ({inputs / elapsed.TotalSeconds:N0}/s); " +
            $"parses done {counts[0]:N0}, incomplete {counts[2]:N0}, invalid {counts[3]:N0}; errors reached: {string.Join(", ", errors.Order())}");
}
