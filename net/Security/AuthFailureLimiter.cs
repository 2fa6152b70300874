namespace EchoCache.Net.Security;

/// <summary>
/// A server-wide token bucket of failed AUTH attempts: it holds up to <see cref="Burst"/> tokens and gains
/// <see cref="FailuresPerSecond"/> a second. Every attempt takes a token before the password is checked
/// (<see cref="TryTake"/>) and a successful one gives it back (<see cref="Return"/>), so only failures spend the
/// bucket. While it is empty, attempts are refused unchecked: a guesser gets no answer about any password, right or
/// wrong, and at most <see cref="FailuresPerSecond"/> guesses a second are ever checked, however many connections it
/// opens. Redis has no such limit; this is ours (docs/operations.md, "Passwords").
/// </summary>
/// <remarks>
/// The price: a guesser can keep the bucket empty, and then a client with the right password is refused too until a
/// token comes back (its attempt competes with the guesser's for each one). Clients already authenticated are never
/// affected. Every call takes a lock: AUTH is rare, and never on the hot path.
/// </remarks>
public sealed class AuthFailureLimiter
{
    /// <summary>The default rate: ten failed attempts a second, server-wide.</summary>
    public const int DefaultFailuresPerSecond = 10;

    /// <summary>The default burst: a hundred failed attempts at once (clients restarted with an old password).</summary>
    public const int DefaultBurst = 100;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;

    /// <summary>A full bucket of <paramref name="burst"/> tokens, refilled at <paramref name="failuresPerSecond"/>.</summary>
    public AuthFailureLimiter(int failuresPerSecond = DefaultFailuresPerSecond, int burst = DefaultBurst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failuresPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        FailuresPerSecond = failuresPerSecond;
        Burst = burst;
        _time = time ?? TimeProvider.System;
        _tokens = burst;
        _refilledAt = _time.GetTimestamp();
    }

    /// <summary>Tokens gained a second.</summary>
    public int FailuresPerSecond { get; }

    /// <summary>Tokens the bucket holds at most.</summary>
    public int Burst { get; }

    /// <summary>Takes a token for an attempt about to be checked; false (nothing taken) when the bucket is empty.</summary>
    public bool TryTake()
    {
        using (_lock.EnterScope())
        {
            Refill();
            if (_tokens < 1)
            {
                return false;
            }
            _tokens--;
            return true;
        }
    }

    /// <summary>Gives back the token of an attempt that succeeded.</summary>
    public void Return()
    {
        using (_lock.EnterScope())
        {
            _tokens = Math.Min(Burst, _tokens + 1);
        }
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        double seconds = (double)(now - _refilledAt) / _time.TimestampFrequency;
        _refilledAt = now;
        if (seconds > 0)
        {
            _tokens = Math.Min(Burst, _tokens + seconds * FailuresPerSecond);
        }
    }
}
