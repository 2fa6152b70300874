using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

// CLIENT LIST, CLIENT INFO and CLIENT KILL over the server's ClientRegistry, with Redis 7.0's arguments, replies and
// error texts (networking.c's clientCommand). The orchestrator runs these same handlers on its own connections'
// sessions, whose registry holds only its clients (never its links to workers). None is on a hot path.
public sealed partial class RespSession
{
    /// <summary>
    /// The connection this session serves: its addresses, descriptor and a way to close it. The session joins the
    /// server's <see cref="WorkerStats.Registry"/> (CLIENT LIST, CLIENT KILL) until <see cref="OnClosed"/>.
    /// </summary>
    public void Attach(IClientConnection connection)
    {
        _client.Connect(connection);
        _stats.Registry.Add(_client);
    }

    /// <summary>The connection has closed: the session leaves the registry.</summary>
    public void OnClosed() => _stats.Registry.Remove(_client);

    /// <summary>
    /// CLIENT LIST [TYPE normal|master|replica|slave|pubsub] | [ID id [id ...]]: one line per client, oldest first
    /// (or in the order the ids are named, those not connected left out), as text.
    /// </summary>
    private void ClientList(in RespRequest request)
    {
        long now = Environment.TickCount64;
        var text = new StringBuilder();
        if (request.Count == 4 && request.ArgumentIs(2, "TYPE"u8))
        {
            if (!TryParseClientType(request[3], out ClientType type))
            {
                return;
            }
            if (type == ClientType.Normal)
            {
                AppendClients(text, now);
            }
        }
        else if (request.Count > 3 && request.ArgumentIs(2, "ID"u8))
        {
            for (int i = 3; i < request.Count; i++)
            {
                if (!Int64Text.TryParse(request[i], out long id))
                {
                    WriteError("ERR Invalid client ID"u8);
                    return;
                }
                _stats.Registry.Find(id)?.AppendInfo(text, now);
            }
        }
        else if (request.Count != 2)
        {
            WriteSyntaxError();
            return;
        }
        else
        {
            AppendClients(text, now);
        }
        WriteVerbatim(Encoding.ASCII.GetBytes(text.ToString()));
    }

    private void AppendClients(StringBuilder text, long now)
    {
        foreach (ConnectedClient client in _stats.Registry.Snapshot())
        {
            client.AppendInfo(text, now);
        }
    }

    /// <summary>CLIENT INFO: this connection's line of CLIENT LIST.</summary>
    private void ClientInfo()
    {
        var text = new StringBuilder();
        _client.AppendInfo(text, Environment.TickCount64);
        WriteVerbatim(Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>
    /// CLIENT KILL ip:port (the old form: +OK, or "No such client"; it may close the caller) or CLIENT KILL with
    /// ID, ADDR, LADDR, TYPE, USER and SKIPME filters, each followed by its value (the new form: how many were
    /// closed; it spares the caller unless SKIPME NO). The caller, when killed, gets its reply and then is closed.
    /// </summary>
    private void ClientKill(in RespRequest request)
    {
        bool oldForm = request.Count == 3;
        ClientKillFilter filter;
        if (oldForm)
        {
            filter = new ClientKillFilter(Encoding.Latin1.GetString(request[2]), null, null, 0, SkipCaller: false);
        }
        else if (!TryParseKillFilter(request, out filter))
        {
            return;
        }
        int killed = _stats.Registry.Kill(filter, _client, out bool killCaller);
        if (!oldForm)
        {
            WriteInteger(killed);
        }
        else if (killed == 0)
        {
            WriteError("ERR No such client"u8);
        }
        else
        {
            WriteOk();
        }
        if (killCaller)
        {
            CloseRequested = true; // after the reply, as Redis's CLIENT_CLOSE_AFTER_REPLY
        }
    }

    /// <summary>The new form's option, value pairs, checked in order as Redis does; false: the error is written.</summary>
    private bool TryParseKillFilter(in RespRequest request, out ClientKillFilter filter)
    {
        filter = default;
        string? address = null, localAddress = null;
        ClientType? type = null;
        long id = 0;
        bool skipCaller = true;
        for (int i = 2; i < request.Count; i += 2)
        {
            bool more = request.Count > i + 1;
            if (more && request.ArgumentIs(i, "ID"u8))
            {
                if (!Int64Text.TryParse(request[i + 1], out id) || id < 1)
                {
                    WriteError("ERR client-id should be greater than 0"u8);
                    return false;
                }
            }
            else if (more && request.ArgumentIs(i, "TYPE"u8))
            {
                if (!TryParseClientType(request[i + 1], out ClientType parsed))
                {
                    return false;
                }
                type = parsed;
            }
            else if (more && request.ArgumentIs(i, "ADDR"u8))
            {
                address = Encoding.Latin1.GetString(request[i + 1]);
            }
            else if (more && request.ArgumentIs(i, "LADDR"u8))
            {
                localAddress = Encoding.Latin1.GetString(request[i + 1]);
            }
            else if (more && request.ArgumentIs(i, "USER"u8))
            {
                if (!request[i + 1].SequenceEqual(AccessControl.DefaultUser)) // the only user; every client is it
                {
                    WriteError("ERR No such user '"u8, request[i + 1], "'"u8);
                    return false;
                }
            }
            else if (more && request.ArgumentIs(i, "SKIPME"u8))
            {
                if (request.ArgumentIs(i + 1, "YES"u8))
                {
                    skipCaller = true;
                }
                else if (request.ArgumentIs(i + 1, "NO"u8))
                {
                    skipCaller = false;
                }
                else
                {
                    WriteSyntaxError();
                    return false;
                }
            }
            else
            {
                WriteSyntaxError();
                return false;
            }
        }
        filter = new ClientKillFilter(address, localAddress, type, id, skipCaller);
        return true;
    }

    /// <summary>Redis's getClientTypeByName (any case); false: "Unknown client type" is written.</summary>
    private bool TryParseClientType(ReadOnlySpan<byte> name, out ClientType type)
    {
        if (Ascii.EqualsIgnoreCase(name, "normal"u8)) type = ClientType.Normal;
        else if (Ascii.EqualsIgnoreCase(name, "slave"u8) || Ascii.EqualsIgnoreCase(name, "replica"u8)) type = ClientType.Replica;
        else if (Ascii.EqualsIgnoreCase(name, "pubsub"u8)) type = ClientType.PubSub;
        else if (Ascii.EqualsIgnoreCase(name, "master"u8)) type = ClientType.Master;
        else
        {
            type = default;
            WriteError("ERR Unknown client type '"u8, name, "'"u8);
            return false;
        }
        return true;
    }
}
