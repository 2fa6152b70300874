using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;

namespace EchoCache.Net.Worker;

// Connection commands: HELLO, AUTH, CLIENT SETNAME / GETNAME / ID / SETINFO. With a password (AccessControl) the
// default user needs it, as Redis's requirepass; without one the default user takes any password, as Redis's
// "nopass" default user does, and NOAUTH never arises.
public sealed partial class RespSession
{
    /// <summary>
    /// HELLO [protover [AUTH username password] [SETNAME name]]: switches the connection's RESP version and
    /// answers the server map (in the new version), as Redis 7's helloCommand.
    /// </summary>
    private void Hello(in RespRequest request)
    {
        RespVersion version = _version;
        int next = 1;
        if (request.Count >= 2)
        {
            if (!Int64Text.TryParse(request[next++], out long requested))
            {
                WriteError("ERR Protocol version is not an integer or out of range"u8);
                return;
            }
            if (requested is < 2 or > 3)
            {
                WriteError("NOPROTO unsupported protocol version"u8);
                return;
            }
            version = (RespVersion)requested;
        }
        int nameIndex = 0;
        int userIndex = 0;
        for (int i = next; i < request.Count; i++)
        {
            ReadOnlySpan<byte> option = request[i];
            int more = request.Count - 1 - i;
            if (Ascii.EqualsIgnoreCase(option, "AUTH"u8) && more >= 2)
            {
                userIndex = i + 1;
                i += 2;
            }
            else if (Ascii.EqualsIgnoreCase(option, "SETNAME"u8) && more >= 1)
            {
                nameIndex = ++i;
            }
            else
            {
                WriteError("ERR Syntax error in HELLO option '"u8, option, "'"u8);
                return;
            }
        }
        if (userIndex != 0 && !TryAuthenticate(request[userIndex], request[userIndex + 1]))
        {
            return;
        }
        if (nameIndex != 0 && !TrySetClientName(request[nameIndex]))
        {
            return;
        }
        if (!_authenticated)
        {
            // Redis 7.0's text (later versions write "HELLO <proto> AUTH").
            WriteError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"u8);
            return;
        }
        _version = version;
        _client.Version = version;
        WriteMapHeader(7);
        WriteBulk("server"u8);
        WriteBulk("redis"u8);
        WriteBulk("version"u8);
        WriteBulk(RedisCompatibility.Version);
        WriteBulk("proto"u8);
        WriteInteger((int)_version);
        WriteBulk("id"u8);
        WriteInteger(_client.Id);
        WriteBulk("mode"u8);
        WriteBulk("standalone"u8);
        WriteBulk("role"u8);
        WriteBulk("master"u8);
        WriteBulk("modules"u8);
        WriteArrayHeader(0);
    }

    /// <summary>
    /// AUTH [username] password, as Redis 7's authCommand: the one-argument form means the default user, and without a
    /// password configured it is an error (the two-argument form then takes any password for "default").
    /// </summary>
    private void Auth(in RespRequest request)
    {
        if (request.Count > 3)
        {
            WriteSyntaxError();
        }
        else if (request.Count == 2 && !_access.RequiresPassword)
        {
            WriteError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"u8);
        }
        else if (TryAuthenticate(request.Count == 2 ? AccessControl.DefaultUser : request[1], request[request.Count - 1]))
        {
            WriteOk();
        }
    }

    /// <summary>
    /// Authenticates the connection as <paramref name="user"/>; false with the error written (WRONGPASS, or the
    /// limiter's refusal) when that fails, and the connection closed after too many failures. A failure leaves an
    /// authenticated connection authenticated, as in Redis.
    /// </summary>
    private bool TryAuthenticate(ReadOnlySpan<byte> user, ReadOnlySpan<byte> password)
    {
        if (!_access.RequiresPassword)
        {
            if (user.SequenceEqual(AccessControl.DefaultUser))
            {
                return true;
            }
            WriteError(AccessControl.WrongPassMessage);
            return false;
        }
        AuthOutcome outcome = _access.Authenticate(user, password, ref _authFailures);
        if (outcome == AuthOutcome.Ok)
        {
            _authenticated = true;
            _direct = !IsConnectionOnly;
            _parser.RequireAuthentication = false;
            return true;
        }
        WriteError(AccessControl.MessageOf(outcome));
        if (_access.MustClose(_authFailures))
        {
            CloseRequested = true;
        }
        return false;
    }

    private void ClientSetName(in RespRequest request)
    {
        if (TrySetClientName(request[2]))
        {
            WriteOk();
        }
    }

    /// <summary>Redis's rule: printable ASCII without spaces; an empty name clears it. False: the error is written.</summary>
    private bool TrySetClientName(ReadOnlySpan<byte> name)
    {
        if (name.ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            WriteError("ERR Client names cannot contain spaces, newlines or special characters."u8);
            return false;
        }
        _client.Name = name.IsEmpty ? null : name.ToArray();
        return true;
    }

    private void ClientGetName()
    {
        byte[]? name = _client.Name;
        if (name is null)
        {
            WriteNull();
        }
        else
        {
            WriteBulk(name);
        }
    }

    /// <summary>
    /// CLIENT SETINFO LIB-NAME|LIB-VER value (StackExchange.Redis and redis-py send it on connect): kept for
    /// CLIENT LIST's lib-name and lib-ver, as Redis 7.2 keeps them; an empty value clears it.
    /// </summary>
    private void ClientSetInfo(in RespRequest request)
    {
        ReadOnlySpan<byte> option = request[2];
        bool name = Ascii.EqualsIgnoreCase(option, "LIB-NAME"u8);
        if (!name && !Ascii.EqualsIgnoreCase(option, "LIB-VER"u8))
        {
            WriteError("ERR Unrecognized option '"u8, option, "'"u8);
            return;
        }
        ReadOnlySpan<byte> value = request[3];
        if (value.ContainsAnyExceptInRange((byte)'!', (byte)'~'))
        {
            WriteError("ERR "u8, option, " cannot contain spaces, newlines or special characters."u8);
            return;
        }
        byte[]? kept = value.IsEmpty ? null : value.ToArray();
        if (name)
        {
            _client.LibraryName = kept;
        }
        else
        {
            _client.LibraryVersion = kept;
        }
        WriteOk();
    }
}
