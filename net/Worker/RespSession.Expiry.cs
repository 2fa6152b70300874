using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX/XX/GT/LT), EXPIRETIME, PEXPIRETIME, TTL, PTTL, PERSIST.
public sealed partial class RespSession
{
    /// <summary>
    /// Redis's expireGenericCommand: options first, then the time, then the key. Redis refuses only a time that
    /// overflows 64 bits of milliseconds (in seconds times 1000, or plus now); so do we. A later time than the item
    /// header holds (<see cref="EngineLimits.MaxExpiryUnixMs"/>, in 2054) is stored as that latest instant, so the key
    /// lives as long as Redis would keep it in practice; NX/XX/GT/LT then compare that stored instant (a second
    /// far-future time compares equal to the first).
    /// </summary>
    private void Expire(in RespRequest request, ReadOnlySpan<byte> command, bool milliseconds, bool absolute)
    {
        ExpiryCondition condition = ExpiryCondition.Always;
        for (int i = 3; i < request.Count; i++)
        {
            ReadOnlySpan<byte> option = request[i];
            if (Ascii.EqualsIgnoreCase(option, "NX"u8)) condition |= ExpiryCondition.IfNone;
            else if (Ascii.EqualsIgnoreCase(option, "XX"u8)) condition |= ExpiryCondition.IfAny;
            else if (Ascii.EqualsIgnoreCase(option, "GT"u8)) condition |= ExpiryCondition.IfLater;
            else if (Ascii.EqualsIgnoreCase(option, "LT"u8)) condition |= ExpiryCondition.IfEarlier;
            else
            {
                WriteError("ERR Unsupported option "u8, option);
                return;
            }
        }
        if ((condition & ExpiryCondition.IfNone) != 0 && condition != ExpiryCondition.IfNone)
        {
            WriteError("ERR NX and XX, GT or LT options at the same time are not compatible"u8);
            return;
        }
        if ((condition & (ExpiryCondition.IfLater | ExpiryCondition.IfEarlier)) ==
            (ExpiryCondition.IfLater | ExpiryCondition.IfEarlier))
        {
            WriteError("ERR GT and LT options at the same time are not compatible"u8);
            return;
        }
        if (!Int64Text.TryParse(request[2], out long when))
        {
            WriteNotInteger();
            return;
        }
        if (!milliseconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                WriteInvalidExpire(command);
                return;
            }
            when *= 1000;
        }
        long basetime = absolute ? 0 : _engine.Clock.UnixMilliseconds;
        if (when > long.MaxValue - basetime)
        {
            WriteInvalidExpire(command);
            return;
        }
        when += basetime;
        // Any time at or before now deletes the key; 1 stands for all of them (0 would mean "no expiry"). A time past
        // what the item header holds (2054) is kept as the latest it holds.
        CacheStatus status = _engine.Expire(request[1], Math.Clamp(when, 1, EngineLimits.MaxExpiryUnixMs), condition);
        switch (status)
        {
            case CacheStatus.Ok:
                WriteInteger(1);
                break;
            case CacheStatus.NotFound:
            case CacheStatus.Exists:
                WriteInteger(0);
                break;
            default:
                WriteStatusError(status, request[1], command);
                break;
        }
    }

    private void Ttl(in RespRequest request, bool milliseconds)
    {
        var info = new ItemInfoSink();
        if (_engine.Get(request[1], ref info) != CacheStatus.Ok)
        {
            WriteInteger(-2);
            return;
        }
        if (info.ExpiresAtUnixMs == 0)
        {
            WriteInteger(-1);
            return;
        }
        long ttl = Math.Max(0, info.ExpiresAtUnixMs - _engine.Clock.UnixMilliseconds);
        WriteInteger(milliseconds ? ttl : (ttl + 500) / 1000);
    }

    private void ExpireTime(in RespRequest request, bool milliseconds)
    {
        var info = new ItemInfoSink();
        if (_engine.Get(request[1], ref info) != CacheStatus.Ok)
        {
            WriteInteger(-2);
            return;
        }
        if (info.ExpiresAtUnixMs == 0)
        {
            WriteInteger(-1);
            return;
        }
        WriteInteger(milliseconds ? info.ExpiresAtUnixMs : info.ExpiresAtUnixMs / 1000);
    }

    private void Persist(in RespRequest request) =>
        WriteInteger(_engine.Expire(request[1], 0, ExpiryCondition.IfAny) == CacheStatus.Ok ? 1 : 0);
}
