using System.Buffers;
using System.Diagnostics;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// Reply writers over the connection's OutputBuffer, and Redis's error texts. Every writer asks GetSpan for
// room enough first (the buffer grows on demand), so the RespWriter calls cannot run out of space.
public sealed partial class RespSession
{
    /// <summary>Room for a bulk string's framing: '$', up to 11 digits, CRLF, and the closing CRLF.</summary>
    private const int BulkOverhead = 16;

    /// <summary>Room for an integer reply: ':', up to 20 characters, CRLF.</summary>
    private const int IntegerReplySize = Int64Text.MaxLength + 3;

    /// <summary>Longest composed error message built on the stack; longer ones are rented.</summary>
    private const int StackErrorLength = 512;

    private void WriteOk() => _output.Write("+OK\r\n"u8);

    private void WriteSimpleString(ReadOnlySpan<byte> text)
    {
        Span<byte> span = _output.GetSpan(text.Length + 3);
        bool done = RespWriter.TryWriteSimpleString(text, span, out int written);
        Debug.Assert(done);
        _output.Advance(written);
    }

    private void WriteInteger(long value)
    {
        Span<byte> span = _output.GetSpan(IntegerReplySize);
        bool done = RespWriter.TryWriteInteger(value, span, out int written);
        Debug.Assert(done);
        _output.Advance(written);
    }

    private void WriteBulk(ReadOnlySpan<byte> value)
    {
        Span<byte> span = _output.GetSpan(value.Length + BulkOverhead);
        bool done = RespWriter.TryWriteBulkString(value, span, out int written);
        Debug.Assert(done);
        _output.Advance(written);
    }

    /// <summary>An ASCII string as a bulk string (names, config values: never on a hot path).</summary>
    private void WriteBulk(string text) => WriteBulk(Encoding.ASCII.GetBytes(text));

    private void WriteEmptyBulk() => _output.Write("$0\r\n\r\n"u8);

    private void WriteNull()
    {
        Span<byte> span = _output.GetSpan(5);
        RespWriter.TryWriteNull(_version, span, out int written);
        _output.Advance(written);
    }

    private void WriteArrayHeader(int count)
    {
        Span<byte> span = _output.GetSpan(IntegerReplySize);
        RespWriter.TryWriteArrayHeader(count, span, out int written);
        _output.Advance(written);
    }

    private void WriteMapHeader(int count)
    {
        Span<byte> span = _output.GetSpan(IntegerReplySize);
        RespWriter.TryWriteMapHeader(count, _version, span, out int written);
        _output.Advance(written);
    }

    /// <summary>A set header: <c>~n</c> in RESP3, an array in RESP2 (as Redis writes command flags).</summary>
    private void WriteSetHeader(int count)
    {
        if (_version != RespVersion.Resp3)
        {
            WriteArrayHeader(count);
            return;
        }
        Span<byte> span = _output.GetSpan(IntegerReplySize);
        span[0] = (byte)'~';
        int length = Int64Text.Format(count, span[1..]);
        span[1 + length] = (byte)'\r';
        span[2 + length] = (byte)'\n';
        _output.Advance(length + 3);
    }

    /// <summary>Free-form text (INFO): a verbatim string in RESP3, a bulk string in RESP2, as Redis does.</summary>
    private void WriteVerbatim(ReadOnlySpan<byte> text)
    {
        Span<byte> span = _output.GetSpan(text.Length + BulkOverhead + 4);
        bool done = RespWriter.TryWriteText(text, _version, span, out int written);
        Debug.Assert(done);
        _output.Advance(written);
    }

    /// <summary>Writes an error; <paramref name="message"/> starts with its code ("ERR ...").</summary>
    private void WriteError(ReadOnlySpan<byte> message)
    {
        Span<byte> span = _output.GetSpan(message.Length + 3);
        bool done = RespWriter.TryWriteError(message, span, out int written);
        Debug.Assert(done);
        _output.Advance(written);
    }

    /// <summary>Writes an error composed of up to five parts (user text in it has CR/LF made spaces).</summary>
    private void WriteError(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default,
        ReadOnlySpan<byte> d = default, ReadOnlySpan<byte> e = default)
    {
        int length = a.Length + b.Length + c.Length + d.Length + e.Length;
        byte[]? rented = length > StackErrorLength ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> text = rented != null ? rented : stackalloc byte[StackErrorLength];
        int at = 0;
        a.CopyTo(text);
        at += a.Length;
        b.CopyTo(text[at..]);
        at += b.Length;
        c.CopyTo(text[at..]);
        at += c.Length;
        d.CopyTo(text[at..]);
        at += d.Length;
        e.CopyTo(text[at..]);
        at += e.Length;
        WriteError(text[..at]);
        if (rented != null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void WriteSyntaxError() => WriteError("ERR syntax error"u8);

    private void WriteNotInteger() => WriteError("ERR value is not an integer or out of range"u8);

    private void WriteNoSuchKey() => WriteError("ERR no such key"u8);

    private void WriteInvalidExpire(ReadOnlySpan<byte> command) =>
        WriteError("ERR invalid expire time in '"u8, command, "' command"u8);

    /// <summary>Redis's reply when a string would outgrow proto-max-bulk-len (here, the 64 MiB bulk cap).</summary>
    private void WriteStringTooLong() => WriteError("ERR string exceeds maximum allowed size (proto-max-bulk-len)"u8);

    /// <summary>Redis 7: "wrong number of arguments for 'get' command", with the full name ("client|setname").</summary>
    private void WriteArityError(CommandInfo command) =>
        WriteError("ERR wrong number of arguments for '"u8, command.NameBytes, "' command"u8);

    /// <summary>
    /// Redis 7: "unknown command 'name', with args beginning with: 'a' 'b' ", the name cut at 128 bytes and the
    /// quoted arguments added while they total under 128 bytes, the last one cut to fit.
    /// </summary>
    private void WriteUnknownCommand(in RespRequest request)
    {
        ReadOnlySpan<byte> name = request[0];
        Span<byte> args = stackalloc byte[160];
        int length = 0;
        for (int i = 1; i < request.Count && length < 128; i++)
        {
            ReadOnlySpan<byte> argument = request[i];
            argument = argument[..Math.Min(argument.Length, 128 - length)];
            args[length++] = (byte)'\'';
            argument.CopyTo(args[length..]);
            length += argument.Length;
            args[length++] = (byte)'\'';
            args[length++] = (byte)' ';
        }
        WriteError("ERR unknown command '"u8, name[..Math.Min(name.Length, 128)], "', with args beginning with: "u8,
            args[..length]);
    }

    /// <summary>Redis 7: "unknown subcommand 'x'. Try CLIENT HELP.", the container's name in upper case.</summary>
    private void WriteUnknownSubcommand(in RespRequest request)
    {
        ReadOnlySpan<byte> sub = request[1];
        ReadOnlySpan<byte> container = request[0];
        Span<byte> upper = stackalloc byte[container.Length];
        Ascii.ToUpper(container, upper, out _);
        WriteError("ERR unknown subcommand '"u8, sub[..Math.Min(sub.Length, 128)], "'. Try "u8, upper, " HELP."u8);
    }

    /// <summary>The reply to an engine status that is not the command's normal outcome.</summary>
    private void WriteStatusError(CacheStatus status, ReadOnlySpan<byte> key, ReadOnlySpan<byte> command)
    {
        switch (status)
        {
            case CacheStatus.KeyTooLarge:
                // Redis allows both; the engine's item header does not (docs/operations.md, "Limits a client meets").
                WriteError(key.IsEmpty ? "ERR empty keys are not supported"u8 : "ERR key longer than 250 bytes"u8);
                break;
            case CacheStatus.ValueTooLarge:
                WriteError("ERR value too large: an item must fit in 1 MiB after compression"u8);
                break;
            case CacheStatus.InvalidExpiry:
                WriteInvalidExpire(command);
                break;
            case CacheStatus.NotANumber:
                WriteNotInteger();
                break;
            case CacheStatus.Overflow:
                WriteError("ERR increment or decrement would overflow"u8);
                break;
            case CacheStatus.OutOfMemory:
                WriteError("OOM command not allowed when used memory > 'maxmemory'."u8);
                break;
            default:
                // Stale and CorruptValue belong to replica writes and compressed input, which RESP never makes.
                WriteError("ERR internal error"u8);
                break;
        }
    }

    /// <summary>Whether the engine can hold <paramref name="key"/>; otherwise the error is written.</summary>
    private bool CheckKey(ReadOnlySpan<byte> key)
    {
        if ((uint)(key.Length - 1) < EngineLimits.MaxKeyLength)
        {
            return true;
        }
        WriteStatusError(CacheStatus.KeyTooLarge, key, default);
        return false;
    }

    /// <summary>Help text as Redis writes it: an array of simple strings.</summary>
    private void WriteHelp(string[] lines)
    {
        WriteArrayHeader(lines.Length);
        foreach (string line in lines)
        {
            WriteSimpleString(Encoding.ASCII.GetBytes(line));
        }
    }
}
