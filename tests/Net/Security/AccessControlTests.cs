using System.Buffers;
using System.Net;
using System.Text;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;

namespace EchoCache.Tests.Net.Security;

/// <summary>Who may use a server: the password check with its limits, protected mode, and the refusal texts.</summary>
public sealed class AccessControlTests
{
    private static AccessControl WithPassword(string password, AuthFailureLimiter? limiter = null) =>
        new(new Password(password), protectedMode: true, limiter);

    [Fact]
    public void The_default_user_with_the_right_password_is_the_only_way_in()
    {
        AccessControl access = WithPassword("secret");
        int failures = 0;
        Assert.True(access.RequiresPassword);
        Assert.Equal(AuthOutcome.Ok, access.Authenticate("default"u8, "secret"u8, ref failures));
        Assert.Equal(0, failures);
        Assert.Equal(AuthOutcome.WrongPassword, access.Authenticate("default"u8, "Secret"u8, ref failures));
        Assert.Equal(AuthOutcome.WrongPassword, access.Authenticate("admin"u8, "secret"u8, ref failures)); // no such user
        Assert.Equal(AuthOutcome.WrongPassword, access.Authenticate(""u8, "secret"u8, ref failures)); // "" is no user either
        Assert.Equal(3, failures);
    }

    [Fact]
    public void A_connection_is_to_close_at_its_tenth_failure()
    {
        AccessControl access = WithPassword("secret");
        int failures = 0;
        for (int i = 1; i <= 10; i++)
        {
            Assert.False(access.MustClose(failures));
            Assert.Equal(AuthOutcome.WrongPassword, access.Authenticate("default"u8, "guess"u8, ref failures));
            Assert.Equal(i, failures);
        }
        Assert.True(access.MustClose(failures));
        Assert.Equal(AccessControl.DefaultMaxFailuresPerConnection, access.MaxFailuresPerConnection);
    }

    [Fact]
    public void Once_the_bucket_is_empty_even_the_right_password_is_refused_unchecked()
    {
        var clock = new StepClock();
        AccessControl access = WithPassword("secret", new AuthFailureLimiter(failuresPerSecond: 2, burst: 3, clock));
        int failures = 0;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(AuthOutcome.WrongPassword, access.Authenticate("default"u8, "guess"u8, ref failures));
        }
        // A guesser learns nothing now, right or wrong; each refusal counts against its connection too.
        Assert.Equal(AuthOutcome.Limited, access.Authenticate("default"u8, "guess"u8, ref failures));
        Assert.Equal(AuthOutcome.Limited, access.Authenticate("default"u8, "secret"u8, ref failures));
        Assert.Equal(5, failures);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        int other = 0;
        Assert.Equal(AuthOutcome.Ok, access.Authenticate("default"u8, "secret"u8, ref other));
        Assert.Equal(AuthOutcome.Ok, access.Authenticate("default"u8, "secret"u8, ref other)); // successes give their token back
        Assert.Equal(AuthOutcome.WrongPassword, access.Authenticate("default"u8, "guess"u8, ref other));
        Assert.Equal(AuthOutcome.Limited, access.Authenticate("default"u8, "secret"u8, ref other));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.2", false)] // loopback, but not 127.0.0.1: Redis's islocalClient refuses it too
    [InlineData("10.1.2.3", false)]
    [InlineData("192.168.0.7", false)]
    [InlineData("::2", false)]
    [InlineData("fe80::1", false)]
    public void Protected_mode_serves_only_127_0_0_1_and_the_ipv6_loopback(string address, bool admitted)
    {
        var remote = new IPEndPoint(IPAddress.Parse(address), 50000);
        var protectedServer = new AccessControl(null, protectedMode: true);
        Assert.True(protectedServer.RefusesRemoteClients);
        Assert.Equal(admitted, protectedServer.Admits(remote));
        Assert.True(new AccessControl(null, protectedMode: false).Admits(remote));
        Assert.True(WithPassword("secret").Admits(remote)); // a password turns protected mode off, as in Redis
        Assert.False(WithPassword("secret").RefusesRemoteClients);
    }

    [Fact]
    public void A_peer_whose_address_is_unknown_is_refused_in_protected_mode()
    {
        Assert.False(new AccessControl(null, protectedMode: true).Admits(null));
        Assert.True(AccessControl.Open.Admits(null));
    }

    [Fact]
    public void The_refusal_in_either_protocol()
    {
        string resp = Encoding.ASCII.GetString(AccessControl.DeniedReply(binary: false));
        Assert.StartsWith("-DENIED Echo Cache is running in protected mode because protected mode is enabled and no password is set for the default user.", resp, StringComparison.Ordinal);
        Assert.EndsWith("the server to start accepting connections from the outside.\r\n", resp, StringComparison.Ordinal);
        Assert.Equal(1, resp.Count(c => c == '\n'));
        Assert.Contains("'--protected-mode no'", resp, StringComparison.Ordinal);

        byte[] binary = AccessControl.DeniedReply(binary: true).ToArray();
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(binary, out BinaryFrame frame, out int consumed));
        Assert.Equal(binary.Length, consumed);
        Assert.Equal((BinaryOpcode.ConnectionError, BinaryStatus.AuthRequired, 0UL), (frame.Header.Opcode, frame.Header.Status, frame.Header.RequestId));
        Assert.Equal(resp[1..^2], Encoding.ASCII.GetString(frame.Value));
    }

    [Fact]
    public void Outcomes_in_either_protocol()
    {
        Assert.Equal("WRONGPASS invalid username-password pair or user is disabled.", Encoding.ASCII.GetString(AccessControl.MessageOf(AuthOutcome.WrongPassword)));
        Assert.Equal("ERR too many failed AUTH attempts, try again later", Encoding.ASCII.GetString(AccessControl.MessageOf(AuthOutcome.Limited)));
        Assert.True(AccessControl.MessageOf(AuthOutcome.Ok).IsEmpty);
        Assert.Equal(BinaryStatus.Ok, AccessControl.BinaryStatusOf(AuthOutcome.Ok));
        Assert.Equal(BinaryStatus.AuthFailed, AccessControl.BinaryStatusOf(AuthOutcome.WrongPassword));
        Assert.Equal(BinaryStatus.Busy, AccessControl.BinaryStatusOf(AuthOutcome.Limited));
    }

    [Fact]
    public void A_frame_over_16_KiB_is_found_from_its_header_alone()
    {
        byte[] Header(int valueLength) => BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.Auth, RequestId = 5 },
            BinaryFrames.Bytes("default"), new byte[valueLength]).AsSpan(0, BinaryProtocol.HeaderSize).ToArray();
        Assert.False(AccessControl.IsFrameTooLargeBeforeAuth(Header(16384 - 7), out _));
        Assert.True(AccessControl.IsFrameTooLargeBeforeAuth(Header(16384 - 6), out BinaryFrameHeader reply));
        Assert.Equal((BinaryOpcode.Auth, 5UL, BinaryStatus.TooLarge), (reply.Opcode, reply.RequestId, reply.Status));
        Assert.False(AccessControl.IsFrameTooLargeBeforeAuth(Header(1 << 20).AsSpan(0, 39), out _)); // no header yet
    }
}
