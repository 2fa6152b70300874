using System.Security.Cryptography;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Security;

/// <summary>
/// The default user's password, kept only as its SHA-256 digest. A candidate is hashed too and the two digests are
/// compared in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), so neither how many leading
/// bytes match nor the password's length shows in how long a check takes.
/// </summary>
public sealed class Password
{
    /// <summary>
    /// The longest password: RESP's limit on a bulk string before AUTH (16 KiB, <see cref="RespLimits"/>), so every
    /// password can be sent in an AUTH.
    /// </summary>
    public const int MaxLength = RespLimits.MaxUnauthenticatedBulkLength;

    private readonly byte[] _digest;

    /// <summary>A password of the bytes <paramref name="password"/>: 1 to <see cref="MaxLength"/> bytes.</summary>
    /// <exception cref="ArgumentException">The password is empty or longer than <see cref="MaxLength"/>.</exception>
    public Password(ReadOnlySpan<byte> password)
    {
        if (password.IsEmpty || password.Length > MaxLength)
        {
            throw new ArgumentException($"a password has 1 to {MaxLength} bytes", nameof(password));
        }
        _digest = SHA256.HashData(password);
    }

    /// <summary>A password of <paramref name="password"/>'s UTF-8 bytes (what a client sends for it).</summary>
    public Password(string password)
        : this(System.Text.Encoding.UTF8.GetBytes(password ?? throw new ArgumentNullException(nameof(password))))
    {
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is the password, in a time that depends on the candidate's length only
    /// (the hash), never on the password's bytes or length. A candidate over <see cref="MaxLength"/> is refused
    /// without hashing: no password is that long.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> candidate)
    {
        if (candidate.Length > MaxLength)
        {
            return false;
        }
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(candidate, digest);
        return CryptographicOperations.FixedTimeEquals(digest, _digest);
    }
}
