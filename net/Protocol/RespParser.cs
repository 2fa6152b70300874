using System.Buffers;
using System.Runtime.CompilerServices;

namespace EchoCache.Net.Protocol;

/// <summary>
/// Parses RESP2 requests, multibulk arrays of bulk strings and inline command lines, as Redis 7 does, with Redis's
/// error texts for malformed input. One parser per connection: it keeps a growable table of argument offsets and,
/// for quoted inline commands, a scratch buffer, so steady-state parsing allocates nothing.
/// </summary>
/// <remarks>
/// The seam with the transport is one call: <see cref="TryParse"/> answers
/// <list type="bullet">
/// <item><see cref="OperationStatus.Done"/>: one request; <c>consumed</c> is its length.</item>
/// <item><see cref="OperationStatus.NeedMoreData"/>: incomplete; nothing consumed; <see cref="NeededLength"/> is a lower
/// bound on the input length at which another attempt can get further.</item>
/// <item><see cref="OperationStatus.InvalidData"/>: nothing consumed; write <see cref="Error"/> with
/// <see cref="RespWriter.TryWriteProtocolError"/> and close the connection, as Redis does.</item>
/// </list>
/// Every length is checked against its cap as soon as its line is read, and a malformed line is refused as soon as
/// its bytes rule out every valid request, rather than waiting for more. The parser keeps no state between calls
/// except buffers: after NeedMoreData it parses the request again from its start.
/// </remarks>
public sealed partial class RespParser
{
    private const int InitialArguments = 16;

    /// <summary>The smallest bulk argument, "$0\r\n\r\n": a lower bound for arguments not yet received.</summary>
    private const int MinimumBulkSize = 6;

    /// <summary>Longest number Redis's string2ll reads: "-9223372036854775808".</summary>
    internal const int MaxNumberLength = 20;

    private RespArgument[] _arguments = new RespArgument[InitialArguments];

    /// <summary>
    /// Apply Redis's smaller pre-authentication caps (10 arguments, 16 KiB bulks). The server sets it on a
    /// connection that must AUTH and clears it once authenticated.
    /// </summary>
    public bool RequireAuthentication { get; set; }

    /// <summary>After <see cref="OperationStatus.InvalidData"/>: what was wrong.</summary>
    public RespParseError Error { get; private set; }

    /// <summary>
    /// After <see cref="OperationStatus.NeedMoreData"/>: the input must hold at least this many bytes before the next
    /// attempt can get further (the transport may wait for them, or size its buffer by it).
    /// </summary>
    public int NeededLength { get; private set; }

    /// <summary>Parses one request from the start of <paramref name="input"/>.</summary>
    public OperationStatus TryParse(ReadOnlySpan<byte> input, out RespRequest request, out int consumed)
    {
        request = default;
        consumed = 0;
        Error = default;
        if (input.IsEmpty)
        {
            return NeedMore(1);
        }
        return input[0] == (byte)'*'
            ? ParseMultibulk(input, out request, out consumed)
            : ParseInline(input, out request, out consumed);
    }

    /// <summary>
    /// Gives back the argument table after a spike (a request with many arguments). The transport decides when,
    /// e.g. when it shrinks its own buffers.
    /// </summary>
    public void TrimExcess()
    {
        if (_arguments.Length > InitialArguments)
        {
            _arguments = new RespArgument[InitialArguments];
        }
        _scratch = null;
    }

    private OperationStatus ParseMultibulk(ReadOnlySpan<byte> input, out RespRequest request, out int consumed)
    {
        request = default;
        consumed = 0;
        OperationStatus status = ReadLength(input, 1, out long count, out int position);
        if (status == OperationStatus.NeedMoreData)
        {
            return NeedMore(input.Length + 1L);
        }
        if (status != OperationStatus.Done || count > RespLimits.MaxMultibulkLength)
        {
            return Fail(RespParseErrorKind.InvalidMultibulkLength);
        }
        if (RequireAuthentication && count > RespLimits.MaxUnauthenticatedMultibulkLength)
        {
            return Fail(RespParseErrorKind.UnauthenticatedMultibulkLength);
        }
        if (count <= 0)
        {
            // Redis treats *0 and *-1 as an empty request: consumed, no reply.
            consumed = position;
            request = new RespRequest(input[..position], default, isInline: false);
            return OperationStatus.Done;
        }
        int arguments = (int)count;
        for (int i = 0; i < arguments; i++)
        {
            if (position >= input.Length)
            {
                return NeedMore(position + (long)(arguments - i) * MinimumBulkSize);
            }
            byte marker = input[position];
            if (marker != (byte)'$')
            {
                return Fail(RespParseErrorKind.ExpectedDollar, marker);
            }
            status = ReadLength(input, position + 1, out long length, out int dataStart);
            if (status == OperationStatus.NeedMoreData)
            {
                return NeedMore(Math.Max(input.Length + 1L, position + (long)(arguments - i) * MinimumBulkSize));
            }
            if (status != OperationStatus.Done || length < 0 || length > RespLimits.MaxBulkLength)
            {
                return Fail(RespParseErrorKind.InvalidBulkLength);
            }
            if (RequireAuthentication && length > RespLimits.MaxUnauthenticatedBulkLength)
            {
                return Fail(RespParseErrorKind.UnauthenticatedBulkLength);
            }
            long end = dataStart + length; // where the bulk's CRLF belongs
            if (end + 2 + (long)(arguments - i - 1) * MinimumBulkSize > RespLimits.MaxRequestLength)
            {
                return Fail(RespParseErrorKind.RequestTooLarge);
            }
            // Check whichever terminator bytes have arrived, so a wrong length is caught before waiting for more.
            if ((end < input.Length && input[(int)end] != (byte)'\r') ||
                (end + 1 < input.Length && input[(int)end + 1] != (byte)'\n'))
            {
                return Fail(RespParseErrorKind.MissingBulkCrlf);
            }
            if (end + 2 > input.Length)
            {
                return NeedMore(end + 2 + (long)(arguments - i - 1) * MinimumBulkSize);
            }
            AddArgument(i, dataStart, (int)length);
            position = (int)end + 2;
        }
        consumed = position;
        request = new RespRequest(input[..position], _arguments.AsSpan(0, arguments), isInline: false);
        return OperationStatus.Done;
    }

    /// <summary>
    /// Reads a decimal length line "[-]digits\r\n" starting at <paramref name="start"/>, as strictly as Redis's
    /// string2ll: no sign but '-', no leading zero, no "-0", at most 20 characters. InvalidData as soon as the bytes
    /// present cannot begin such a line.
    /// </summary>
    private static OperationStatus ReadLength(ReadOnlySpan<byte> input, int start, out long value, out int next)
    {
        value = 0;
        next = 0;
        ReadOnlySpan<byte> rest = input[start..];
        int window = Math.Min(rest.Length, MaxNumberLength + 1);
        int cr = rest[..window].IndexOf((byte)'\r');
        if (cr < 0)
        {
            return rest.Length <= MaxNumberLength && IsNumberPrefix(rest)
                ? OperationStatus.NeedMoreData
                : OperationStatus.InvalidData;
        }
        if (!TryParseNumber(rest[..cr], out value))
        {
            return OperationStatus.InvalidData;
        }
        if (cr + 1 >= rest.Length)
        {
            return OperationStatus.NeedMoreData;
        }
        if (rest[cr + 1] != (byte)'\n')
        {
            return OperationStatus.InvalidData;
        }
        next = start + cr + 2;
        return OperationStatus.Done;
    }

    /// <summary>
    /// Parses a number as strictly as Redis's string2ll: an optional '-', then digits with no leading zero ("0"
    /// itself aside), no "-0", no '+', no spaces, at most 20 characters, no overflow.
    /// </summary>
    internal static bool TryParseNumber(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxNumberLength)
        {
            return false;
        }
        bool negative = text[0] == (byte)'-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || (digits[0] == (byte)'0' && (digits.Length > 1 || negative)))
        {
            return false;
        }
        ulong magnitude = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || magnitude > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }
            magnitude = magnitude * 10 + digit;
        }
        if (magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
        {
            return false;
        }
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>Whether <paramref name="text"/> (at most 20 bytes) can begin a number <see cref="TryParseNumber"/> accepts.</summary>
    private static bool IsNumberPrefix(ReadOnlySpan<byte> text)
    {
        if (!text.IsEmpty && text[0] == (byte)'-')
        {
            text = text[1..];
            if (!text.IsEmpty && text[0] == (byte)'0')
            {
                return false;
            }
        }
        if (text.IsEmpty)
        {
            return true;
        }
        if (text[0] == (byte)'0')
        {
            return text.Length == 1;
        }
        return !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddArgument(int index, int start, int length)
    {
        if ((uint)index >= (uint)_arguments.Length)
        {
            Grow(index + 1);
        }
        _arguments[index] = new RespArgument(start, length);
    }

    /// <summary>Doubles the argument table: it grows with the arguments actually received, never by a claimed count.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        int size = Math.Max(needed, _arguments.Length * 2);
        Array.Resize(ref _arguments, size);
    }

    private OperationStatus NeedMore(long needed)
    {
        NeededLength = (int)Math.Min(needed, int.MaxValue);
        return OperationStatus.NeedMoreData;
    }

    private OperationStatus Fail(RespParseErrorKind kind, byte got = 0)
    {
        Error = new RespParseError(kind, got);
        return OperationStatus.InvalidData;
    }
}
