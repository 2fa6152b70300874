using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT. Bit 0 is the most significant bit of the first byte.
public sealed partial class RespSession
{
    /// <summary>
    /// Redis's getBitOffsetFromArgument: an integer from 0 whose byte lies below proto-max-bulk-len, which here is
    /// the 64 MiB bulk cap (as CONFIG GET reports it), so offsets up to 2^29 - 1; otherwise the error is written.
    /// A value must still fit one item after compression: SETBIT far out on a value that does not compress gets the
    /// engine's "value too large".
    /// </summary>
    private bool TryParseBitOffset(ReadOnlySpan<byte> text, out long offset)
    {
        if (Int64Text.TryParse(text, out offset) && offset >= 0 && (offset >> 3) < RespLimits.MaxBulkLength)
        {
            return true;
        }
        WriteError("ERR bit offset is not an integer or out of range"u8);
        return false;
    }

    /// <summary>SETBIT key offset 0|1: the bit's old value; the value grows with zero bytes to reach the offset.</summary>
    private void SetBit(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        if (!TryParseBitOffset(request[2], out long offset))
        {
            return;
        }
        if (!Int64Text.TryParse(request[3], out long bit) || (bit & ~1L) != 0)
        {
            WriteError("ERR bit is not an integer or out of range"u8);
            return;
        }
        var updater = new SetBitUpdater(offset, bit == 1);
        CacheStatus status = _engine.Update(key, ref updater, default, out _);
        if (status == CacheStatus.Ok || updater.Unchanged)
        {
            WriteInteger(updater.WasSet ? 1 : 0);
        }
        else
        {
            WriteStatusError(status, key, default);
        }
    }

    /// <summary>GETBIT key offset: 0 past the value's end and for a missing key.</summary>
    private void GetBit(in RespRequest request)
    {
        if (!TryParseBitOffset(request[2], out long offset))
        {
            return;
        }
        var sink = new GetBitSink(offset);
        _engine.Get(request[1], ref sink);
        WriteInteger(sink.Bit);
    }

    /// <summary>
    /// BITCOUNT key [start end [BYTE|BIT]], as Redis 7.0's bitcountCommand: the key is looked up first, so a missing
    /// key counts 0 whatever the arguments; then start and end (integers, negative from the end), a negative range
    /// running backwards counts 0 before the unit is even read, and the unit must be BYTE or BIT.
    /// </summary>
    private void BitCount(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        long start = 0, end = -1;
        bool bits = false;
        if (request.Count is 4 or 5)
        {
            if (!Int64Text.TryParse(request[2], out start) || !Int64Text.TryParse(request[3], out end))
            {
                WriteErrorIfExists(key, "ERR value is not an integer or out of range"u8);
                return;
            }
            if (start < 0 && end < 0 && start > end)
            {
                WriteInteger(0);
                return;
            }
            if (request.Count == 5)
            {
                if (Ascii.EqualsIgnoreCase(request[4], "BIT"u8))
                {
                    bits = true;
                }
                else if (!Ascii.EqualsIgnoreCase(request[4], "BYTE"u8))
                {
                    WriteErrorIfExists(key, "ERR syntax error"u8);
                    return;
                }
            }
        }
        else if (request.Count != 2)
        {
            WriteErrorIfExists(key, "ERR syntax error"u8);
            return;
        }
        var sink = new BitCountSink(start, end, bits);
        _engine.Get(key, ref sink);
        WriteInteger(sink.Count);
    }

    /// <summary>The error for a command Redis checks only once it found the key: a missing key answers 0.</summary>
    private void WriteErrorIfExists(ReadOnlySpan<byte> key, ReadOnlySpan<byte> error)
    {
        if (_engine.Contains(key))
        {
            WriteError(error);
        }
        else
        {
            WriteInteger(0);
        }
    }

    /// <summary>The number of set bits in <paramref name="bytes"/>, eight bytes at a time.</summary>
    private static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long count = 0;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
        {
            count += BitOperations.PopCount(word);
        }
        foreach (byte b in bytes[(words.Length * sizeof(ulong))..])
        {
            count += BitOperations.PopCount(b);
        }
        return count;
    }
}
