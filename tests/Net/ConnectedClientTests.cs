using System.Net;
using System.Text;
using EchoCache.Net.Commands;
using EchoCache.Net.Protocol;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net;

/// <summary>One client's line of CLIENT LIST and CLIENT INFO (<see cref="ConnectedClient"/>), in Redis 7.0.15's format.</summary>
public sealed class ConnectedClientTests
{
    private const long Created = 1_000_000;

    [Fact]
    public void A_new_client_prints_every_field_of_redis_7_0_in_order()
    {
        var client = new ConnectedClient(7, Created);
        client.Connect(new FakeClientConnection(50123, descriptor: 12));
        Assert.Equal("id=7 addr=127.0.0.1:50123 laddr=127.0.0.1:6379 fd=12 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0"
            + " multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=NULL"
            + " user=default redir=-1 resp=2 lib-name= lib-ver=\n", Line(client, Created));
    }

    [Fact]
    public void Name_library_protocol_command_age_and_idle_show_as_set()
    {
        var client = new ConnectedClient(42, Created)
        {
            Name = "worker-a"u8.ToArray(),
            LibraryName = "SE.Redis"u8.ToArray(),
            LibraryVersion = "2.8.0"u8.ToArray(),
            Version = RespVersion.Resp3,
            LastCommand = CommandTable.Find("client"u8)!.FindSubcommand("list"u8),
            LastInteractionMs = Created + 61_500,
        };
        string line = Line(client, Created + 65_999);
        Assert.StartsWith("id=42 addr=?:0 laddr=?:0 fd=-1 name=worker-a age=65 idle=4 flags=N ", line, StringComparison.Ordinal);
        Assert.EndsWith(" events=r cmd=client|list user=default redir=-1 resp=3 lib-name=SE.Redis lib-ver=2.8.0\n", line, StringComparison.Ordinal);

        client.LastCommand = CommandTable.GetCommand;
        Assert.Contains(" cmd=get ", Line(client, Created), StringComparison.Ordinal);
        Assert.Contains(" age=0 idle=0 ", Line(client, Created - 5), StringComparison.Ordinal); // a clock read early shows 0, never negative
    }

    [Theory]
    [InlineData("127.0.0.1", 6379, "127.0.0.1:6379")]
    [InlineData("10.1.2.3", 1, "10.1.2.3:1")]
    [InlineData("::1", 50000, "[::1]:50000")]
    [InlineData("::ffff:192.168.0.9", 4242, "192.168.0.9:4242")]
    [InlineData("fe80::1%2", 7000, "[fe80::1]:7000")]
    public void Addresses_are_formatted_as_redis_formats_them(string address, int port, string expected)
    {
        Assert.Equal(expected, ConnectedClient.FormatAddress(new IPEndPoint(IPAddress.Parse(address), port)));
    }

    [Fact]
    public void An_address_the_socket_could_not_tell_prints_as_redis_does()
    {
        Assert.Equal("?:0", ConnectedClient.FormatAddress(null));
        var client = new ConnectedClient(1, Created);
        client.Connect(new FakeClientConnection(null, new IPEndPoint(IPAddress.Loopback, 7000), 5));
        Assert.Equal("?:0", client.Address);
        Assert.Equal("127.0.0.1:7000", client.LocalAddress);
        Assert.Equal(5, client.Descriptor);
    }

    [Fact]
    public void Kill_reaches_the_connection()
    {
        var connection = new FakeClientConnection(50000);
        var client = new ConnectedClient(1, Created);
        client.Kill(); // no connection yet: nothing to close
        client.Connect(connection);
        client.Kill();
        Assert.Equal(1, connection.Kills);
    }

    private static string Line(ConnectedClient client, long now)
    {
        var text = new StringBuilder();
        client.AppendInfo(text, now);
        return text.ToString();
    }
}
