namespace EchoCache.Net.Security;

/// <summary>What became of one AUTH attempt (<see cref="AccessControl.Authenticate"/>).</summary>
public enum AuthOutcome
{
    /// <summary>The user and password are right: the connection is authenticated.</summary>
    Ok,

    /// <summary>The user is unknown or the password wrong (WRONGPASS; binary AUTH_FAILED).</summary>
    WrongPassword,

    /// <summary>Too many attempts failed on the server lately: refused without checking (binary BUSY).</summary>
    Limited,
}
