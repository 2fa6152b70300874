using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// String commands: GET, SET and its variants, MGET/MSET, counters, APPEND, STRLEN, GETRANGE, SETRANGE, LCS.
public sealed partial class RespSession
{
    private void Get(in RespRequest request)
    {
        var sink = new BulkValueSink(_output);
        if (_engine.Get(request[1], ref sink) == CacheStatus.Ok)
        {
            _output.Advance(sink.Written);
        }
        else
        {
            WriteNull();
        }
    }

    private void Set(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        ReadOnlySpan<byte> value = request[2];
        CacheStatus status;
        if (request.Count == 3)
        {
            status = _engine.Set(key, value, default, out _);
            if (status == CacheStatus.Ok)
            {
                WriteOk();
            }
            else
            {
                WriteStatusError(status, key, "set"u8);
            }
            return;
        }
        if (!TryParseStringFlags(request, 3, forGetEx: false, out StringFlags flags, out int expiryIndex))
        {
            WriteSyntaxError();
            return;
        }
        if (!TryGetExpiry(request, flags, expiryIndex, "set"u8, out long ttlMs, out long atMs))
        {
            return;
        }
        var options = new WriteOptions
        {
            Condition = (flags & StringFlags.Nx) != 0 ? WriteCondition.IfAbsent
                : (flags & StringFlags.Xx) != 0 ? WriteCondition.IfPresent
                : WriteCondition.Always,
            TimeToLiveMs = ttlMs,
            ExpiresAtUnixMs = atMs,
            KeepTimeToLive = (flags & StringFlags.KeepTtl) != 0,
        };
        if ((flags & StringFlags.Get) == 0)
        {
            status = _engine.Set(key, value, options, out _);
            if (status == CacheStatus.Ok)
            {
                WriteOk();
            }
            else if (status is CacheStatus.Exists or CacheStatus.NotFound)
            {
                WriteNull(); // NX or XX did not hold
            }
            else
            {
                WriteStatusError(status, key, "set"u8);
            }
            return;
        }
        // SET ... GET answers the old value whether or not the condition let the write happen.
        var previous = new BulkValueSink(_output);
        status = _engine.Set(key, value, options, out _, ref previous);
        switch (status)
        {
            case CacheStatus.Ok:
                CommitOrNull(previous.Written);
                break;
            case CacheStatus.Exists:
                // NX found the key: the engine shows no item when its condition fails, so read it.
                var current = new BulkValueSink(_output);
                CommitOrNull(_engine.Get(key, ref current) == CacheStatus.Ok ? current.Written : 0);
                break;
            case CacheStatus.NotFound:
                WriteNull();
                break;
            default:
                WriteStatusError(status, key, "set"u8);
                break;
        }
    }

    /// <summary>Commits what a sink wrote, or writes a null when it wrote nothing.</summary>
    private void CommitOrNull(int written)
    {
        if (written != 0)
        {
            _output.Advance(written);
        }
        else
        {
            WriteNull();
        }
    }

    private void SetNx(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        CacheStatus status = _engine.Set(key, request[2], new WriteOptions { Condition = WriteCondition.IfAbsent }, out _);
        if (status is CacheStatus.Ok or CacheStatus.Exists)
        {
            WriteInteger(status == CacheStatus.Ok ? 1 : 0);
        }
        else
        {
            WriteStatusError(status, key, "setnx"u8);
        }
    }

    private void SetEx(in RespRequest request, bool milliseconds)
    {
        ReadOnlySpan<byte> key = request[1];
        ReadOnlySpan<byte> name = milliseconds ? "psetex"u8 : "setex"u8;
        if (!TryGetExpiry(request, milliseconds ? StringFlags.Px : StringFlags.Ex, 2, name, out long ttlMs, out long atMs))
        {
            return;
        }
        CacheStatus status = _engine.Set(key, request[3], new WriteOptions { TimeToLiveMs = ttlMs, ExpiresAtUnixMs = atMs }, out _);
        if (status == CacheStatus.Ok)
        {
            WriteOk();
        }
        else
        {
            WriteStatusError(status, key, name);
        }
    }

    private void GetSet(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        var previous = new BulkValueSink(_output);
        CacheStatus status = _engine.Set(key, request[2], default, out _, ref previous);
        if (status == CacheStatus.Ok)
        {
            CommitOrNull(previous.Written);
        }
        else
        {
            WriteStatusError(status, key, "getset"u8);
        }
    }

    private void GetDel(in RespRequest request)
    {
        var previous = new BulkValueSink(_output);
        CommitOrNull(_engine.Delete(request[1], default, out _, ref previous) == CacheStatus.Ok ? previous.Written : 0);
    }

    private void GetEx(in RespRequest request)
    {
        if (request.Count == 2)
        {
            Get(request);
            return;
        }
        ReadOnlySpan<byte> key = request[1];
        if (!TryParseStringFlags(request, 2, forGetEx: true, out StringFlags flags, out int expiryIndex))
        {
            WriteSyntaxError();
            return;
        }
        // Redis looks the key up between the syntax and the time: a missing key is nil whatever the time says.
        if ((flags & StringFlags.AnyExpiry) != 0 && !_engine.Contains(key))
        {
            WriteNull();
            return;
        }
        if (!TryGetExpiry(request, flags, expiryIndex, "getex"u8, out long ttlMs, out long atMs))
        {
            return;
        }
        var sink = new BulkValueSink(_output);
        CacheStatus status;
        if (atMs != 0 && atMs <= _engine.Clock.UnixMilliseconds)
        {
            // EXAT/PXAT in the past: Redis deletes the key after replying with its value.
            status = _engine.Delete(key, default, out _, ref sink);
        }
        else
        {
            // PERSIST sets no expiry, and Touch then removes the one the key had.
            status = _engine.Touch(key, new WriteOptions { TimeToLiveMs = ttlMs, ExpiresAtUnixMs = atMs }, out _, ref sink);
        }
        if (status is CacheStatus.Ok or CacheStatus.NotFound or CacheStatus.KeyTooLarge)
        {
            CommitOrNull(status == CacheStatus.Ok ? sink.Written : 0);
        }
        else
        {
            WriteStatusError(status, key, "getex"u8);
        }
    }

    private void MGet(in RespRequest request)
    {
        WriteArrayHeader(request.Count - 1);
        PrefetchKeys(request, first: 1, stride: 1);
        for (int i = 1; i < request.Count; i++)
        {
            PrefetchKeys(request, first: i + PipelinePrefetch.KeyDistance, stride: 1, count: 1);
            var sink = new BulkValueSink(_output);
            CommitOrNull(_engine.Get(request[i], ref sink) == CacheStatus.Ok ? sink.Written : 0);
        }
    }

    private void MSet(in RespRequest request)
    {
        if (!CheckPairs(request))
        {
            return;
        }
        // Not atomic across keys, unlike Redis: each pair is its own set. Keys are checked first, so only an
        // engine refusal (a value too large, no memory) can leave it half done, and that is reported.
        PrefetchKeys(request, first: 1, stride: 2);
        for (int i = 1; i < request.Count; i += 2)
        {
            PrefetchKeys(request, first: i + (2 * PipelinePrefetch.KeyDistance), stride: 2, count: 1);
            CacheStatus status = _engine.Set(request[i], request[i + 1], default, out _);
            if (status != CacheStatus.Ok)
            {
                WriteStatusError(status, request[i], "mset"u8);
                return;
            }
        }
        WriteOk();
    }

    /// <summary>
    /// Starts loading the buckets of <paramref name="count"/> keys (<see cref="PipelinePrefetch.KeyDistance"/> by
    /// default) of a multi-key command, from argument <paramref name="first"/> on, every <paramref name="stride"/>
    /// arguments; past the last argument it does nothing.
    /// </summary>
    private void PrefetchKeys(in RespRequest request, int first, int stride, int count = PipelinePrefetch.KeyDistance)
    {
        for (int i = first, n = 0; i < request.Count && n < count; i += stride, n++)
        {
            _engine.Prefetch(request[i]);
        }
    }

    private void MSetNx(in RespRequest request)
    {
        if (!CheckPairs(request))
        {
            return;
        }
        var pairs = new RequestPairs(request);
        CacheStatus status = _engine.SetAllIfNoneExist(ref pairs);
        if (status is CacheStatus.Ok or CacheStatus.Exists)
        {
            WriteInteger(status == CacheStatus.Ok ? 1 : 0);
        }
        else
        {
            WriteStatusError(status, default, "msetnx"u8);
        }
    }

    /// <summary>MSET and MSETNX: an even number of arguments after the name, and keys the engine can hold.</summary>
    private bool CheckPairs(in RespRequest request)
    {
        if (request.Count % 2 == 0)
        {
            WriteArityError(CommandTable.Find(request[0])!);
            return false;
        }
        for (int i = 1; i < request.Count; i += 2)
        {
            if (!CheckKey(request[i]))
            {
                return false;
            }
        }
        return true;
    }

    private void IncrBy(in RespRequest request, bool negate)
    {
        if (!Int64Text.TryParse(request[2], out long delta))
        {
            WriteNotInteger();
            return;
        }
        if (negate)
        {
            if (delta == long.MinValue)
            {
                WriteError("ERR decrement would overflow"u8);
                return;
            }
            delta = -delta;
        }
        IncrementBy(request, delta);
    }

    private void IncrementBy(in RespRequest request, long delta)
    {
        ReadOnlySpan<byte> key = request[1];
        CacheStatus status = _engine.Increment(key, delta, default, createIfMissing: true, out long value, out _);
        if (status == CacheStatus.Ok)
        {
            WriteInteger(value);
        }
        else
        {
            WriteStatusError(status, key, default);
        }
    }

    private void IncrByFloat(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        if (!FloatText.TryParse(request[2], out FloatNumber increment))
        {
            WriteError("ERR value is not a valid float"u8);
            return;
        }
        Span<byte> result = stackalloc byte[FloatText.MaxLength];
        var updater = new FloatIncrementUpdater(increment, result);
        CacheStatus status = _engine.Update(key, ref updater, default, out _);
        if (status == CacheStatus.Ok)
        {
            // A bulk string even in RESP3, as Redis 7 replies.
            WriteBulk(result[..updater.ResultLength]);
        }
        else if (updater.InvalidValue)
        {
            WriteError("ERR value is not a valid float"u8);
        }
        else if (updater.NotFinite)
        {
            WriteError("ERR increment would produce NaN or Infinity"u8);
        }
        else
        {
            WriteStatusError(status, key, default);
        }
    }

    private void Append(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        var updater = new AppendUpdater(request[2]);
        CacheStatus status = _engine.Update(key, ref updater, default, out _);
        if (status == CacheStatus.Ok)
        {
            WriteInteger(updater.NewLength);
        }
        else if (updater.TooLong)
        {
            WriteStringTooLong();
        }
        else
        {
            WriteStatusError(status, key, default);
        }
    }

    private void StrLen(in RespRequest request)
    {
        var info = new ItemInfoSink();
        WriteInteger(_engine.Get(request[1], ref info) == CacheStatus.Ok ? info.ValueLength : 0);
    }

    private void GetRange(in RespRequest request)
    {
        if (!Int64Text.TryParse(request[2], out long start) || !Int64Text.TryParse(request[3], out long end))
        {
            WriteNotInteger();
            return;
        }
        var sink = new RangeSink(_output, start, end);
        if (_engine.Get(request[1], ref sink) == CacheStatus.Ok)
        {
            _output.Advance(sink.Written);
        }
        else
        {
            WriteEmptyBulk(); // Redis answers a missing key with "", not nil
        }
    }

    private void SetRange(in RespRequest request)
    {
        ReadOnlySpan<byte> key = request[1];
        ReadOnlySpan<byte> patch = request[3];
        if (!Int64Text.TryParse(request[2], out long offset))
        {
            WriteNotInteger();
            return;
        }
        if (offset < 0)
        {
            WriteError("ERR offset is out of range"u8);
            return;
        }
        if (patch.IsEmpty)
        {
            // Setting nothing changes nothing, and creates no key: the answer is the current length.
            StrLen(request);
            return;
        }
        if (offset > RespLimits.MaxBulkLength - patch.Length)
        {
            WriteStringTooLong();
            return;
        }
        var updater = new SetRangeUpdater((int)offset, patch);
        CacheStatus status = _engine.Update(key, ref updater, default, out _);
        if (status == CacheStatus.Ok)
        {
            WriteInteger(updater.NewLength);
        }
        else
        {
            WriteStatusError(status, key, default);
        }
    }

    /// <summary>
    /// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], as Redis 7.0's lcsCommand: a missing key is an
    /// empty string; the subsequence as a bulk string, its length with LEN, or with IDX a map (an array of four in
    /// RESP2) of "matches", the contiguous runs last first, each [[a start, a end], [b start, b end]] plus its length
    /// with WITHMATCHLEN, and "len". The two keys are read one after the other, not at one instant.
    /// </summary>
    private void Lcs(in RespRequest request)
    {
        bool idx = false, len = false, withMatchLength = false;
        long minMatchLength = 0;
        for (int i = 3; i < request.Count; i++)
        {
            ReadOnlySpan<byte> option = request[i];
            if (Ascii.EqualsIgnoreCase(option, "IDX"u8))
            {
                idx = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "LEN"u8))
            {
                len = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "WITHMATCHLEN"u8))
            {
                withMatchLength = true;
            }
            else if (Ascii.EqualsIgnoreCase(option, "MINMATCHLEN"u8) && i + 1 < request.Count)
            {
                if (!Int64Text.TryParse(request[++i], out minMatchLength))
                {
                    WriteNotInteger();
                    return;
                }
                minMatchLength = Math.Max(minMatchLength, 0);
            }
            else
            {
                WriteSyntaxError();
                return;
            }
        }
        if (len && idx)
        {
            WriteError("ERR If you want both the length and indexes, please just use IDX."u8);
            return;
        }
        var a = new ValueCopySink();
        var b = new ValueCopySink();
        try
        {
            _engine.Get(request[1], ref a);
            _engine.Get(request[2], ref b);
            if (!LongestCommonSubsequence.TableFits(a.Value.Length, b.Value.Length))
            {
                WriteError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"u8);
                return;
            }
            List<LcsMatch>? matches = idx ? [] : null;
            int length = LongestCommonSubsequence.Run(a.Value, b.Value, walk: idx || !len, minMatchLength, matches,
                out byte[]? sequence);
            if (matches != null)
            {
                WriteMapHeader(2);
                WriteBulk("matches"u8);
                WriteArrayHeader(matches.Count);
                foreach (LcsMatch match in matches)
                {
                    WriteArrayHeader(withMatchLength ? 3 : 2);
                    WriteArrayHeader(2);
                    WriteInteger(match.AStart);
                    WriteInteger(match.AEnd);
                    WriteArrayHeader(2);
                    WriteInteger(match.BStart);
                    WriteInteger(match.BEnd);
                    if (withMatchLength)
                    {
                        WriteInteger(match.Length);
                    }
                }
                WriteBulk("len"u8);
                WriteInteger(length);
            }
            else if (len)
            {
                WriteInteger(length);
            }
            else
            {
                WriteBulk(sequence);
            }
        }
        finally
        {
            a.Return();
            b.Return();
        }
    }

    /// <summary>
    /// Parses SET's options (from argument 3) or GETEX's (from 2) with Redis's rules: NX/XX exclude each other,
    /// one expiry option at most (the same one may repeat), KEEPTTL (SET) and PERSIST (GETEX) exclude any expiry,
    /// an expiry option needs its value. False: a syntax error.
    /// </summary>
    private static bool TryParseStringFlags(in RespRequest request, int first, bool forGetEx, out StringFlags flags,
        out int expiryIndex)
    {
        flags = StringFlags.None;
        expiryIndex = 0;
        for (int i = first; i < request.Count; i++)
        {
            ReadOnlySpan<byte> option = request[i];
            bool hasNext = i + 1 < request.Count;
            StringFlags expiry = flags & StringFlags.AnyExpiry;
            if (!forGetEx && Ascii.EqualsIgnoreCase(option, "NX"u8) && (flags & StringFlags.Xx) == 0)
            {
                flags |= StringFlags.Nx;
            }
            else if (!forGetEx && Ascii.EqualsIgnoreCase(option, "XX"u8) && (flags & StringFlags.Nx) == 0)
            {
                flags |= StringFlags.Xx;
            }
            else if (!forGetEx && Ascii.EqualsIgnoreCase(option, "GET"u8))
            {
                flags |= StringFlags.Get;
            }
            else if (!forGetEx && Ascii.EqualsIgnoreCase(option, "KEEPTTL"u8) && expiry == 0)
            {
                flags |= StringFlags.KeepTtl;
            }
            else if (forGetEx && Ascii.EqualsIgnoreCase(option, "PERSIST"u8) && expiry == 0)
            {
                flags |= StringFlags.Persist;
            }
            else if (hasNext && (flags & (StringFlags.KeepTtl | StringFlags.Persist)) == 0 &&
                     ExpiryFlag(option) is var kind && kind != StringFlags.None && (expiry == 0 || expiry == kind))
            {
                flags |= kind;
                expiryIndex = ++i;
            }
            else
            {
                return false;
            }
        }
        return true;
    }

    private static StringFlags ExpiryFlag(ReadOnlySpan<byte> option) =>
        Ascii.EqualsIgnoreCase(option, "EX"u8) ? StringFlags.Ex
        : Ascii.EqualsIgnoreCase(option, "PX"u8) ? StringFlags.Px
        : Ascii.EqualsIgnoreCase(option, "EXAT"u8) ? StringFlags.ExAt
        : Ascii.EqualsIgnoreCase(option, "PXAT"u8) ? StringFlags.PxAt
        : StringFlags.None;

    /// <summary>
    /// Reads the expiry option's value as Redis's getExpireMillisecondsOrReply does: an integer above 0 that
    /// does not overflow in milliseconds (nor, for EX/PX, once now is added), else "invalid expire time in
    /// '<paramref name="command"/>' command" (written here). EX/PX give a time to live, EXAT/PXAT an absolute time;
    /// with no expiry option both are 0. A time past what the item header holds
    /// (<see cref="EngineLimits.MaxExpiryUnixMs"/>, in 2054) becomes that latest instant, as an absolute time.
    /// </summary>
    private bool TryGetExpiry(in RespRequest request, StringFlags flags, int index, ReadOnlySpan<byte> command,
        out long ttlMs, out long atMs)
    {
        ttlMs = 0;
        atMs = 0;
        StringFlags kind = flags & StringFlags.AnyExpiry;
        if (kind == StringFlags.None)
        {
            return true;
        }
        if (!Int64Text.TryParse(request[index], out long amount))
        {
            WriteNotInteger();
            return false;
        }
        bool seconds = kind is StringFlags.Ex or StringFlags.ExAt;
        if (amount <= 0 || (seconds && amount > long.MaxValue / 1000))
        {
            WriteInvalidExpire(command);
            return false;
        }
        long milliseconds = seconds ? amount * 1000 : amount;
        if (kind is StringFlags.ExAt or StringFlags.PxAt)
        {
            atMs = Math.Min(milliseconds, EngineLimits.MaxExpiryUnixMs);
            return true;
        }
        // Redis adds the time now, and refuses a sum that overflows.
        long now = _engine.Clock.UnixMilliseconds;
        if (milliseconds > long.MaxValue - now)
        {
            WriteInvalidExpire(command);
            return false;
        }
        if (milliseconds <= EngineLimits.MaxExpiryUnixMs - now)
        {
            ttlMs = milliseconds;
        }
        else
        {
            atMs = EngineLimits.MaxExpiryUnixMs;
        }
        return true;
    }
}
