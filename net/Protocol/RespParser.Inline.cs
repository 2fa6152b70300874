using System.Buffers;
using System.Numerics;

namespace EchoCache.Net.Protocol;

public sealed partial class RespParser
{
    /// <summary>Unquoted inline arguments for a line with quotes (escapes make them differ from the input).</summary>
    private byte[]? _scratch;

    /// <summary>
    /// An inline command: one line ended by "\n" (a "\r" before it is dropped), split as Redis's sdssplitargs does:
    /// blanks separate arguments; "double quotes" take \n \r \t \b \a \xHH and \c escapes; 'single quotes' take \';
    /// a closing quote must be followed by a blank or the end. A NUL byte before the newline is refused.
    /// </summary>
    private OperationStatus ParseInline(ReadOnlySpan<byte> input, out RespRequest request, out int consumed)
    {
        request = default;
        consumed = 0;
        int window = Math.Min(input.Length, RespLimits.MaxInlineLength + 1);
        int newline = input[..window].IndexOfAny((byte)'\n', (byte)0);
        if (newline < 0)
        {
            if (input.Length > RespLimits.MaxInlineLength)
            {
                return Fail(RespParseErrorKind.TooBigInlineRequest);
            }
            return NeedMore(input.Length + 1L);
        }
        if (input[newline] == 0)
        {
            // Redis finds the newline with strchr, which stops at a NUL: such a line never ends there. Refuse it now.
            return Fail(RespParseErrorKind.NulInInlineRequest);
        }
        ReadOnlySpan<byte> line = input[..newline];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        int count;
        ReadOnlySpan<byte> source;
        if (line.IndexOfAny((byte)'"', (byte)'\'') < 0)
        {
            count = SplitPlain(line);
            source = input;
        }
        else
        {
            if (_scratch is null || _scratch.Length < line.Length)
            {
                _scratch = new byte[Math.Max(256, (int)BitOperations.RoundUpToPowerOf2((uint)line.Length))];
            }
            count = SplitQuoted(line, _scratch);
            if (count < 0)
            {
                return Fail(RespParseErrorKind.UnbalancedQuotes);
            }
            source = _scratch;
        }
        consumed = newline + 1;
        request = new RespRequest(source, _arguments.AsSpan(0, count), isInline: true);
        return OperationStatus.Done;
    }

    /// <summary>C's isspace: the blanks skipped between arguments.</summary>
    private static readonly SearchValues<byte> Blanks = SearchValues.Create(" \t\n\v\f\r"u8);

    /// <summary>The bytes that end an unquoted argument in sdssplitargs (not \v or \f, which it keeps).</summary>
    private static readonly SearchValues<byte> Terminators = SearchValues.Create(" \n\r\t"u8);

    /// <summary>Splits a line without quotes; the arguments are slices of the input.</summary>
    private int SplitPlain(ReadOnlySpan<byte> line)
    {
        int count = 0;
        int position = 0;
        while (true)
        {
            int skip = line[position..].IndexOfAnyExcept(Blanks);
            if (skip < 0)
            {
                return count;
            }
            position += skip;
            int length = line[position..].IndexOfAny(Terminators);
            if (length < 0)
            {
                length = line.Length - position;
            }
            AddArgument(count++, position, length);
            position += length;
        }
    }

    /// <summary>
    /// Splits a line with quotes, unescaping into <paramref name="output"/> (never longer than the line).
    /// Returns the argument count, or -1 for unbalanced quotes.
    /// </summary>
    private int SplitQuoted(ReadOnlySpan<byte> line, Span<byte> output)
    {
        int count = 0;
        int i = 0;
        int written = 0;
        while (true)
        {
            while (i < line.Length && Blanks.Contains(line[i]))
            {
                i++;
            }
            if (i == line.Length)
            {
                return count;
            }
            int start = written;
            bool inDouble = false;
            bool inSingle = false;
            bool done = false;
            while (!done)
            {
                bool end = i >= line.Length; // sdssplitargs's terminating NUL
                byte c = end ? (byte)0 : line[i];
                if (inDouble)
                {
                    if (c == (byte)'\\' && i + 3 < line.Length && line[i + 1] == (byte)'x' &&
                        IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        output[written++] = (byte)((HexValue(line[i + 2]) << 4) | HexValue(line[i + 3]));
                        i += 3;
                    }
                    else if (c == (byte)'\\' && i + 1 < line.Length)
                    {
                        i++;
                        output[written++] = line[i] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            byte other => other,
                        };
                    }
                    else if (c == (byte)'"')
                    {
                        if (i + 1 < line.Length && !Blanks.Contains(line[i + 1]))
                        {
                            return -1;
                        }
                        done = true;
                    }
                    else if (end)
                    {
                        return -1;
                    }
                    else
                    {
                        output[written++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (c == (byte)'\\' && i + 1 < line.Length && line[i + 1] == (byte)'\'')
                    {
                        i++;
                        output[written++] = (byte)'\'';
                    }
                    else if (c == (byte)'\'')
                    {
                        if (i + 1 < line.Length && !Blanks.Contains(line[i + 1]))
                        {
                            return -1;
                        }
                        done = true;
                    }
                    else if (end)
                    {
                        return -1;
                    }
                    else
                    {
                        output[written++] = c;
                    }
                }
                else if (end || Terminators.Contains(c))
                {
                    done = true;
                }
                else if (c == (byte)'"')
                {
                    inDouble = true;
                }
                else if (c == (byte)'\'')
                {
                    inSingle = true;
                }
                else
                {
                    output[written++] = c;
                }
                if (!end)
                {
                    i++;
                }
            }
            AddArgument(count++, start, written - start);
        }
    }

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
