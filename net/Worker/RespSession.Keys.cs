using System.Globalization;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// Keyspace commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY, KEYS, SCAN, RANDOMKEY.
public sealed partial class RespSession
{
    /// <summary>SCAN's COUNT when none is given (Redis's default).</summary>
    private const int DefaultScanCount = 10;

    /// <summary>SCAN visits at most this many positions per key asked for, as Redis's dictScan loop does.</summary>
    private const int ScanEffort = 10;

    /// <summary>Positions any SCAN call may visit: empty tables (64 buckets a shard, up to 16 shards) end in one call.</summary>
    private const int MinScanPositions = 4096;

    /// <summary>Keys a scan position holds on average (a bucket has 12 slots; a table resizes at 9 a bucket).</summary>
    private const int KeysPerPosition = 6;

    /// <summary>Random picks a filtered RANDOMKEY makes before it walks the keys for one its filter admits.</summary>
    private const int RandomKeyAttempts = 16;

    private void Del(in RespRequest request)
    {
        long deleted = 0;
        for (int i = 1; i < request.Count; i++)
        {
            if (_engine.Delete(request[i]) == CacheStatus.Ok)
            {
                deleted++;
            }
        }
        WriteInteger(deleted);
    }

    private void Exists(in RespRequest request)
    {
        long found = 0;
        for (int i = 1; i < request.Count; i++)
        {
            if (_engine.Contains(request[i]))
            {
                found++; // a key named twice counts twice, as in Redis; a read marks the item used (TOUCH)
            }
        }
        WriteInteger(found);
    }

    private void TypeOf(in RespRequest request) =>
        _output.Write(_engine.Contains(request[1]) ? "+string\r\n"u8 : "+none\r\n"u8);

    private void Rename(in RespRequest request, bool onlyIfAbsent)
    {
        ReadOnlySpan<byte> source = request[1];
        ReadOnlySpan<byte> target = request[2];
        if (!_engine.Contains(source))
        {
            WriteNoSuchKey(); // checked first, as Redis does, so a bad target name cannot hide a missing source
            return;
        }
        if (!CheckKey(target))
        {
            return;
        }
        CacheStatus status = _engine.Rename(source, target, onlyIfAbsent);
        switch (status)
        {
            case CacheStatus.Ok:
                if (onlyIfAbsent) WriteInteger(1); else WriteOk();
                break;
            case CacheStatus.Exists:
                WriteInteger(0);
                break;
            case CacheStatus.NotFound:
                WriteNoSuchKey();
                break;
            default:
                WriteStatusError(status, target, default);
                break;
        }
    }

    private void Copy(in RespRequest request)
    {
        ReadOnlySpan<byte> source = request[1];
        ReadOnlySpan<byte> target = request[2];
        bool replace = false;
        for (int i = 3; i < request.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(request[i], "REPLACE"u8))
            {
                replace = true;
            }
            else if (Ascii.EqualsIgnoreCase(request[i], "DB"u8) && i + 1 < request.Count)
            {
                if (!TryParseInt32(request[++i], out int db))
                {
                    return;
                }
                if (db != 0)
                {
                    WriteError("ERR DB index is out of range"u8);
                    return;
                }
            }
            else
            {
                WriteSyntaxError();
                return;
            }
        }
        if (source.SequenceEqual(target))
        {
            WriteError("ERR source and destination objects are the same"u8);
            return;
        }
        if (!_engine.Contains(source))
        {
            WriteInteger(0);
            return;
        }
        if (!CheckKey(target))
        {
            return;
        }
        CacheStatus status = _engine.Copy(source, target, replace);
        if (status is CacheStatus.Ok or CacheStatus.Exists or CacheStatus.NotFound)
        {
            WriteInteger(status == CacheStatus.Ok ? 1 : 0);
        }
        else
        {
            WriteStatusError(status, target, default);
        }
    }

    private void Keys(in RespRequest request)
    {
        // The snapshot takes one shard lock per batch, so writers on other connections keep going meanwhile.
        var keys = new List<byte[]>();
        var collector = new KeyCollector(request[1], keys, discardAll: false, _filter);
        SnapshotCursor cursor = _engine.CreateSnapshot();
        while (!cursor.IsComplete)
        {
            cursor.Read(ref collector, 1024);
        }
        WriteKeyArray(keys);
    }

    private void Scan(in RespRequest request)
    {
        if (!ulong.TryParse(request[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong token))
        {
            WriteError("ERR invalid cursor"u8);
            return;
        }
        long count = DefaultScanCount;
        ReadOnlySpan<byte> pattern = "*"u8;
        bool discardAll = false;
        for (int i = 2; i < request.Count; i += 2)
        {
            ReadOnlySpan<byte> option = request[i];
            if (i + 1 >= request.Count)
            {
                WriteSyntaxError();
                return;
            }
            if (Ascii.EqualsIgnoreCase(option, "COUNT"u8))
            {
                if (!Int64Text.TryParse(request[i + 1], out count))
                {
                    WriteNotInteger();
                    return;
                }
                if (count < 1)
                {
                    WriteSyntaxError();
                    return;
                }
            }
            else if (Ascii.EqualsIgnoreCase(option, "MATCH"u8))
            {
                pattern = request[i + 1];
            }
            else if (Ascii.EqualsIgnoreCase(option, "TYPE"u8))
            {
                // Every key holds a string: any other type matches nothing (the cursor still advances).
                discardAll = !Ascii.EqualsIgnoreCase(request[i + 1], "string"u8);
            }
            else
            {
                WriteSyntaxError();
                return;
            }
        }
        SnapshotCursor? cursor = _engine.ResumeSnapshot(token);
        if (cursor is null)
        {
            WriteError("ERR invalid cursor"u8);
            return;
        }
        var keys = new List<byte[]>();
        var collector = new KeyCollector(pattern, keys, discardAll, _filter);
        // COUNT is a hint of how many keys to return. Redis visits about that many dict buckets, one key each;
        // ours hold up to 12, so read a few positions at a time until enough keys came. Visits are bounded
        // (Redis: 10 per key asked for) so a sparse MATCH cannot make one call walk everything, but not below
        // a floor that lets a small keyspace finish in one call, as Redis's does; empty stretches are crossed
        // in growing steps, so sparse tables take few lock round trips.
        int wanted = (int)Math.Min(count, 1 << 20);
        int step = Math.Max(1, wanted / KeysPerPosition);
        long budget = Math.Max((long)wanted * ScanEffort, MinScanPositions);
        while (!cursor.IsComplete && keys.Count < wanted && budget > 0)
        {
            int visit = (int)Math.Min(step, budget);
            if (cursor.Read(ref collector, visit) == 0)
            {
                step = Math.Min(step * 2, 1024);
            }
            budget -= visit;
        }
        WriteArrayHeader(2);
        Span<byte> digits = stackalloc byte[20];
        cursor.Token.TryFormat(digits, out int length, default, CultureInfo.InvariantCulture);
        WriteBulk(digits[..length]);
        WriteKeyArray(keys);
    }

    private void WriteKeyArray(List<byte[]> keys)
    {
        WriteArrayHeader(keys.Count);
        foreach (byte[] key in keys)
        {
            WriteBulk(key);
        }
    }

    private void RandomKey()
    {
        var sink = new KeyBulkSink(_output, _filter);
        if (_filter.AdmitsAll)
        {
            CommitOrNull(_engine.TryGetRandom(ref sink) ? sink.Written : 0);
            return;
        }
        // The orchestrator asks for a key of one pair: a worker holds two pairs' keys, so a random pick is the
        // pair's about half the time. A few picks nearly always find one; a walk settles the rest (and an empty pair).
        for (int attempt = 0; attempt < RandomKeyAttempts && sink.Written == 0; attempt++)
        {
            if (!_engine.TryGetRandom(ref sink))
            {
                break;
            }
        }
        SnapshotCursor cursor = _engine.CreateSnapshot();
        while (sink.Written == 0 && !cursor.IsComplete)
        {
            cursor.Read(ref sink, 64);
        }
        CommitOrNull(sink.Written);
    }

    /// <summary>DBSIZE: the engine's count, or with the orchestrator's filter the keys of one pair, counted by a walk.</summary>
    private void DbSize()
    {
        if (_filter.AdmitsAll)
        {
            WriteInteger(_engine.Count);
            return;
        }
        var counter = new KeyCollector("*"u8, null, discardAll: false, _filter);
        SnapshotCursor cursor = _engine.CreateSnapshot();
        while (!cursor.IsComplete)
        {
            cursor.Read(ref counter, 1024);
        }
        WriteInteger(counter.Count);
    }

    /// <summary>
    /// Redis's getIntFromObjectOrReply: an integer that fits 32 bits, else its error (written here).
    /// </summary>
    private bool TryParseInt32(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (!Int64Text.TryParse(text, out long wide))
        {
            WriteNotInteger();
            return false;
        }
        if (wide is < int.MinValue or > int.MaxValue)
        {
            WriteError("ERR value is out of range, value must between -2147483648 and 2147483647"u8);
            return false;
        }
        value = (int)wide;
        return true;
    }
}
