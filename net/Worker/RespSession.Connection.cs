using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;

namespace EchoCache.Net.Worker;

// Connection commands: HELLO, AUTH, CLIENT SETNAME / GETNAME / ID / SETINFO. No password is configured: the
// default user takes any password, as Redis's "nopass" default user does, so NOAUTH never arises.
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
        if (userIndex != 0 && !IsDefaultUser(request[userIndex]))
        {
            WriteWrongPass();
            return;
        }
        if (nameIndex != 0 && !TrySetClientName(request[nameIndex]))
        {
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

    /// <summary>AUTH [username] password, against a default user that has no password (Redis's "nopass").</summary>
    private void Auth(in RespRequest request)
    {
        if (request.Count > 3)
        {
            WriteSyntaxError();
        }
        else if (request.Count == 2)
        {
            WriteError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"u8);
        }
        else if (IsDefaultUser(request[1]))
        {
            WriteOk();
        }
        else
        {
            WriteWrongPass();
        }
    }

    private static bool IsDefaultUser(ReadOnlySpan<byte> user) => user.SequenceEqual("default"u8);

    private void WriteWrongPass() => WriteError("WRONGPASS invalid username-password pair or user is disabled."u8);

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
