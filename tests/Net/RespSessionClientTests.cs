using System.Text.RegularExpressions;
using EchoCache.Net.Worker;
using static EchoCache.Tests.Net.RespSessionHarness;

namespace EchoCache.Tests.Net;

/// <summary>
/// CLIENT LIST, CLIENT INFO and CLIENT KILL on a worker's <see cref="RespSession"/>, with Redis 7.0's arguments,
/// replies and errors (tests/unit/introspection.tcl), over sessions attached to fake connections.
/// </summary>
public sealed partial class RespSessionClientTests : IDisposable
{
    private readonly RespSessionHarness _h = new();
    private readonly FakeClientConnection _myConnection = new(50001, descriptor: 21);

    public RespSessionClientTests() => _h.Session.Attach(_myConnection);

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Client_list_shows_every_connection_with_its_name_oldest_first()
    {
        (RespSession other, _) = Connect(50002);
        Run(other, "CLIENT", "SETNAME", "second");
        Assert.Equal(Ok, _h.Send("CLIENT", "SETNAME", "first"));

        string[] lines = Lines(_h.Send("CLIENT", "LIST"));
        Assert.Equal(2, lines.Length);
        Assert.Matches(LineFormat(), lines[0]);
        Assert.Matches(LineFormat(), lines[1]);
        Assert.StartsWith($"id={_h.Session.ClientId} addr=127.0.0.1:50001 laddr=127.0.0.1:6379 fd=21 name=first age=", lines[0], StringComparison.Ordinal);
        Assert.Contains(" cmd=client|list user=default redir=-1 resp=2 ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"id={other.ClientId} addr=127.0.0.1:50002 ", lines[1], StringComparison.Ordinal);
        Assert.Contains(" name=second ", lines[1], StringComparison.Ordinal);
        Assert.Contains(" cmd=client|setname ", lines[1], StringComparison.Ordinal);

        other.OnClosed(); // the connection closed: it leaves the list
        Assert.Single(Lines(_h.Send("CLIENT", "LIST")));
    }

    [Fact]
    public void Client_list_filters_by_type_and_by_id()
    {
        (RespSession other, _) = Connect(50002);
        Assert.Equal(2, Lines(_h.Send("CLIENT", "LIST", "TYPE", "normal")).Length);
        Assert.Equal(EmptyBulk, _h.Send("client", "list", "type", "MASTER"));
        Assert.Equal(EmptyBulk, _h.Send("CLIENT", "LIST", "TYPE", "replica"));
        Assert.Equal(EmptyBulk, _h.Send("CLIENT", "LIST", "TYPE", "slave"));
        Assert.Equal(EmptyBulk, _h.Send("CLIENT", "LIST", "TYPE", "pubsub"));
        Assert.Equal(Err("ERR Unknown client type 'wrong'"), _h.Send("CLIENT", "LIST", "TYPE", "wrong"));

        string[] byId = Lines(_h.Send("CLIENT", "LIST", "ID", $"{other.ClientId}", "999999", $"{_h.Session.ClientId}"));
        Assert.Equal(2, byId.Length);
        Assert.StartsWith($"id={other.ClientId} ", byId[0], StringComparison.Ordinal);
        Assert.StartsWith($"id={_h.Session.ClientId} ", byId[1], StringComparison.Ordinal); // in the order named
        Assert.Equal(EmptyBulk, _h.Send("CLIENT", "LIST", "ID", "999999"));
        Assert.Equal(Err("ERR Invalid client ID"), _h.Send("CLIENT", "LIST", "ID", "1", "x"));

        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "LIST", "ID"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "LIST", "TYPE"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "LIST", "TYPE", "normal", "extra"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "LIST", "nope"));
    }

    [Fact]
    public void Client_info_shows_the_caller_and_its_last_command()
    {
        string line = Lines(_h.Send("CLIENT", "INFO")).Single();
        Assert.Matches(LineFormat(), line);
        Assert.StartsWith($"id={_h.Session.ClientId} addr=127.0.0.1:50001 laddr=127.0.0.1:6379 fd=21 name= ", line, StringComparison.Ordinal);
        Assert.Contains(" cmd=client|info ", line, StringComparison.Ordinal);
        Assert.Equal(Err("ERR wrong number of arguments for 'client|info' command"), _h.Send("CLIENT", "INFO", "x"));
    }

    [Fact]
    public void Cmd_is_the_last_command_looked_up_as_redis_records_it()
    {
        (RespSession other, _) = Connect(50002);
        Assert.Contains(" cmd=NULL ", OtherLine(other), StringComparison.Ordinal); // nothing run yet
        Run(other, "SET", "k", "v");
        Assert.Contains(" cmd=set ", OtherLine(other), StringComparison.Ordinal);
        Run(other, "GET", "k");
        Assert.Contains(" cmd=get ", OtherLine(other), StringComparison.Ordinal);
        Run(other, "INCRBY", "n");
        Assert.Contains(" cmd=incrby ", OtherLine(other), StringComparison.Ordinal); // an arity error still names it
        Run(other, "NOSUCHCOMMAND");
        Assert.Contains(" cmd=NULL ", OtherLine(other), StringComparison.Ordinal);
        Run(other, "CLIENT", "NOPE");
        Assert.Contains(" cmd=NULL ", OtherLine(other), StringComparison.Ordinal);
        Run(other, "CLIENT");
        Assert.Contains(" cmd=client ", OtherLine(other), StringComparison.Ordinal);
    }

    [Fact]
    public void Setinfo_and_hello_show_in_the_line()
    {
        Assert.Equal(Ok, _h.Send("CLIENT", "SETINFO", "LIB-NAME", "redis-py"));
        Assert.Equal(Ok, _h.Send("CLIENT", "SETINFO", "lib-ver", "5.0.1"));
        Assert.EndsWith(" resp=2 lib-name=redis-py lib-ver=5.0.1\n", _h.Send("CLIENT", "INFO")[..^2], StringComparison.Ordinal);
        Assert.Equal(Ok, _h.Send("CLIENT", "SETINFO", "LIB-VER", ""));
        _h.Send("HELLO", "3", "SETNAME", "three");
        string reply = _h.Send("CLIENT", "INFO");
        Assert.StartsWith("=", reply, StringComparison.Ordinal); // RESP3: verbatim text, as Redis's addReplyVerbatim
        Assert.Contains("\r\ntxt:id=", reply, StringComparison.Ordinal);
        Assert.Contains(" name=three ", reply, StringComparison.Ordinal);
        Assert.EndsWith(" resp=3 lib-name=redis-py lib-ver=\n\r\n", reply, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_kill_refuses_illegal_arguments_with_redis_errors()
    {
        Assert.Equal(Err("ERR wrong number of arguments for 'client|kill' command"), _h.Send("CLIENT", "KILL"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "KILL", "ID", "10", "wrong_arg"));
        Assert.Equal(Err("ERR client-id should be greater than 0"), _h.Send("CLIENT", "KILL", "ID", "str"));
        Assert.Equal(Err("ERR client-id should be greater than 0"), _h.Send("CLIENT", "KILL", "ID", "-1"));
        Assert.Equal(Err("ERR client-id should be greater than 0"), _h.Send("CLIENT", "KILL", "ID", "0"));
        Assert.Equal(Err("ERR Unknown client type 'wrong_type'"), _h.Send("CLIENT", "KILL", "TYPE", "wrong_type"));
        Assert.Equal(Err("ERR No such user 'wrong_user'"), _h.Send("CLIENT", "KILL", "USER", "wrong_user"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "KILL", "SKIPME", "yes_or_no"));
        Assert.Equal(Err("ERR syntax error"), _h.Send("CLIENT", "KILL", "NOPE", "x"));
        // Checked in order: the first bad option is the one reported, and nothing is killed.
        Assert.Equal(Err("ERR Unknown client type 'x'"), _h.Send("CLIENT", "KILL", "TYPE", "x", "ID", "0"));
        Assert.Equal(Err("ERR No such client"), _h.Send("CLIENT", "KILL", "127.0.0.1:1"));
        Assert.Equal(Err("ERR No such client"), _h.Send("CLIENT", "KILL", "ID")); // the old form: "ID" is an address
        Assert.False(_h.Session.CloseRequested);
        Assert.Equal(0, _myConnection.Kills);
    }

    [Fact]
    public void Client_kill_id_closes_the_other_connection_and_answers_the_count()
    {
        (RespSession other, FakeClientConnection otherConnection) = Connect(50002);
        Assert.Equal(Int(1), _h.Send("CLIENT", "KILL", "ID", $"{other.ClientId}"));
        Assert.Equal(1, otherConnection.Kills);
        Assert.Single(Lines(_h.Send("CLIENT", "LIST")));
        Assert.Equal(Int(0), _h.Send("CLIENT", "KILL", "ID", $"{other.ClientId}"));
        Assert.Equal(Int(0), _h.Send("CLIENT", "KILL", "ID", $"{_h.Session.ClientId}")); // SKIPME defaults to yes
        Assert.False(_h.Session.CloseRequested);
    }

    [Fact]
    public void Client_kill_by_address_user_and_type()
    {
        (_, FakeClientConnection second) = Connect(50002);
        (_, FakeClientConnection third) = Connect(50003);
        Assert.Equal(Ok, _h.Send("CLIENT", "KILL", "127.0.0.1:50002"));
        Assert.Equal(1, second.Kills);
        Assert.Equal(Int(0), _h.Send("CLIENT", "KILL", "ADDR", "127.0.0.1:50002"));
        Assert.Equal(Int(0), _h.Send("CLIENT", "KILL", "TYPE", "master"));
        Assert.Equal(Int(0), _h.Send("CLIENT", "KILL", "LADDR", "127.0.0.1:6380"));
        Assert.Equal(Int(1), _h.Send("CLIENT", "KILL", "USER", "default", "TYPE", "normal", "LADDR", "127.0.0.1:6379"));
        Assert.Equal(1, third.Kills);
        Assert.False(_h.Session.CloseRequested);
    }

    [Fact]
    public void Killing_itself_the_caller_gets_its_reply_then_closes()
    {
        (_, FakeClientConnection other) = Connect(50002);
        byte[] input = [.. RespFrames.Command("CLIENT", "KILL", "SKIPME", "no"), .. RespFrames.Command("SET", "after", "x")];
        Assert.Equal(Int(2), _h.SendRaw(input)); // what follows does not run, as after QUIT
        Assert.True(_h.Session.CloseRequested);
        Assert.Equal(1, other.Kills);
        Assert.Equal(0, _myConnection.Kills); // the loop closes it once the reply is out
        Assert.False(_h.Engine.Contains("after"u8));
    }

    [Fact]
    public void The_old_form_may_kill_the_caller()
    {
        Assert.Equal(Ok, _h.Send("CLIENT", "KILL", "127.0.0.1:50001"));
        Assert.True(_h.Session.CloseRequested);
    }

    [Fact]
    public void A_session_without_a_connection_is_not_listed()
    {
        RespSession unattached = _h.NewSession();
        Run(unattached, "PING");
        Assert.Single(Lines(_h.Send("CLIENT", "LIST")));
        Assert.Equal(1, _h.Stats.Registry.Count);
    }

    private (RespSession Session, FakeClientConnection Connection) Connect(int port)
    {
        RespSession session = _h.NewSession();
        var connection = new FakeClientConnection(port);
        session.Attach(connection);
        return (session, connection);
    }

    /// <summary>Runs one command on another session and drops its reply.</summary>
    private void Run(RespSession session, params string[] command)
    {
        session.Process(RespFrames.Command(command), _h.Output);
        _h.Drain();
    }

    private string OtherLine(RespSession other) =>
        Lines(_h.Send("CLIENT", "LIST", "ID", $"{other.ClientId}")).Single();

    /// <summary>The lines of a CLIENT LIST or INFO reply (a RESP2 bulk string).</summary>
    private static string[] Lines(string reply)
    {
        Match bulk = Regex.Match(reply, @"^\$(\d+)\r\n", RegexOptions.CultureInvariant);
        Assert.True(bulk.Success, reply);
        string text = reply[bulk.Length..^2];
        Assert.Equal(int.Parse(bulk.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), text.Length);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }

    [GeneratedRegex(@"^id=\d+ addr=\S+:\d+ laddr=\S+:\d+ fd=-?\d+ name=\S* age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=\S+ user=default redir=-1 resp=[23] lib-name=\S* lib-ver=\S*$", RegexOptions.CultureInvariant)]
    private static partial Regex LineFormat();
}
