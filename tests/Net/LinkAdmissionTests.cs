using System.Buffers;
using System.Text;
using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;
using EchoCache.Net.Worker;

namespace EchoCache.Tests.Net;

/// <summary>
/// A worker's side of orchestrator links (net/Worker/BinarySession.Links.cs): who is served with and without a
/// cluster secret, the challenge-response, and fencing by epoch.
/// </summary>
public sealed class LinkAdmissionTests : IDisposable
{
    private static readonly ClusterSecret Secret = new("0123456789abcdef-the-secret"u8);
    private readonly CacheEngine _engine = new(new EngineOptions { MemoryLimit = 16L << 20 });

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void A_worker_with_a_secret_serves_nothing_but_ping_to_a_connection_that_has_not_joined()
    {
        var membership = new ClusterMembership(Secret);
        var session = new BinarySession(_engine, new WorkerStats(), membership: membership);

        Assert.Equal(BinaryStatus.NotPermitted, Run(session, Set("k", "direct", version: 0)).Status);
        Assert.Equal(BinaryStatus.NotPermitted, Run(session, Set("k", "forged", version: ulong.MaxValue / 2, BinaryOpcode.ReplicaSet)).Status);
        Assert.Equal(BinaryStatus.NotPermitted, Run(session, BinaryFrames.Request(BinaryOpcode.Flush)).Status);
        Assert.Equal(BinaryStatus.NotPermitted, Run(session, BinaryFrames.Request(BinaryOpcode.Snapshot)).Status);
        (BinaryFrameHeader refused, byte[] reason) = RunWithValue(session, BinaryFrames.Request(BinaryOpcode.Get, "k"));
        Assert.Equal(BinaryStatus.NotPermitted, refused.Status);
        Assert.Contains("send commands to its orchestrator", Encoding.UTF8.GetString(reason), StringComparison.Ordinal);
        Assert.Equal(BinaryStatus.Ok, Run(session, BinaryFrames.Request(BinaryOpcode.Ping)).Status);

        Assert.Equal(0, _engine.Count);
        Assert.Equal(5, membership.RefusedRequests);
    }

    [Fact]
    public void A_join_with_the_secrets_proof_makes_a_link_and_a_wrong_proof_is_refused()
    {
        var membership = new ClusterMembership(Secret);
        var attacker = new BinarySession(_engine, new WorkerStats(), membership: membership);
        byte[] attackerNonce = Challenge(attacker, out ulong epoch, out byte[] workerProof);
        Assert.Equal(0UL, epoch);
        Assert.Equal(ClusterSecret.ProofSize, workerProof.Length);
        var wrong = new ClusterSecret("another-cluster's-secret"u8);
        Assert.Equal(BinaryStatus.NotPermitted, Join(attacker, wrong, attackerNonce, 5).Status);
        Assert.Equal(BinaryStatus.NotPermitted, Run(attacker, Set("k", "forged", 99, BinaryOpcode.ReplicaSet)).Status);
        Assert.Equal(0, membership.Epoch);

        var link = new BinarySession(_engine, new WorkerStats(), membership: membership);
        byte[] nonces = Challenge(link, out _, out byte[] proof);
        Assert.True(Secret.IsWorkerProof(nonces.AsSpan(0, 16), nonces.AsSpan(16), proof)); // the worker proved it too
        Assert.Equal(BinaryStatus.Ok, Join(link, Secret, nonces, 7).Status);
        Assert.Equal(7, membership.Epoch);
        Assert.Equal(BinaryStatus.Ok, Run(link, Set("k", "v", 10, BinaryOpcode.ReplicaSet)).Status);
        Assert.Equal(1, _engine.Count);
        // A proof is good for one join: replaying the join on the same challenge is refused.
        Assert.Equal(BinaryStatus.BadRequest, Join(link, Secret, nonces, 8).Status);
    }

    [Fact]
    public void A_newer_epoch_fences_out_the_older_links_and_an_older_one_cannot_join()
    {
        var membership = new ClusterMembership(); // no secret: epochs fence all the same
        var first = new BinarySession(_engine, new WorkerStats(), membership: membership);
        Assert.Equal(BinaryStatus.Ok, Join(first, null, Challenge(first, out _, out _), 100).Status);
        Assert.Equal(BinaryStatus.Ok, Run(first, Set("k", "first", 1, BinaryOpcode.ReplicaSet)).Status);

        var second = new BinarySession(_engine, new WorkerStats(), membership: membership);
        byte[] nonces = Challenge(second, out ulong seen, out _);
        Assert.Equal(100UL, seen);
        Assert.Equal(BinaryStatus.Ok, Join(second, null, nonces, 200).Status);

        (BinaryFrameHeader fenced, byte[] text) = RunWithValue(first, Set("k", "stale", 2, BinaryOpcode.ReplicaSet));
        Assert.Equal(BinaryStatus.Fenced, fenced.Status);
        Assert.Equal(200UL, fenced.Version);
        Assert.Contains("epoch 200", Encoding.UTF8.GetString(text), StringComparison.Ordinal);
        Assert.Equal(BinaryStatus.Fenced, Run(first, BinaryFrames.Request(BinaryOpcode.Get, "k")).Status);
        Assert.Equal(BinaryStatus.Fenced, Run(first, BinaryFrames.Request(BinaryOpcode.Health)).Status);

        var late = new BinarySession(_engine, new WorkerStats(), membership: membership);
        BinaryFrameHeader refused = Join(late, null, Challenge(late, out _, out _), 150);
        Assert.Equal(BinaryStatus.Fenced, refused.Status);
        Assert.Equal(200UL, refused.Version);

        Assert.Equal(BinaryStatus.Ok, Run(second, Set("k", "second", 3, BinaryOpcode.ReplicaSet)).Status);
        // A plain client of a worker without a secret is still served (a standalone worker, tests, tools).
        var client = new BinarySession(_engine, new WorkerStats(), membership: membership);
        (BinaryFrameHeader read, byte[] value) = RunWithValue(client, BinaryFrames.Request(BinaryOpcode.Get, "k"));
        Assert.Equal(BinaryStatus.Ok, read.Status);
        Assert.Equal("second", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public void Membership_epochs_only_rise()
    {
        var membership = new ClusterMembership();
        Assert.True(membership.TryJoin(5));
        Assert.True(membership.TryJoin(5)); // another link of the same orchestrator
        Assert.False(membership.TryJoin(4));
        Assert.True(membership.TryJoin(9));
        Assert.Equal(9, membership.Epoch);
        Assert.Equal(3, membership.Joins);
        Assert.Equal(1, membership.RefusedJoins);
    }

    private static byte[] Set(string key, string value, ulong version, BinaryOpcode opcode = BinaryOpcode.Set) =>
        BinaryFrames.Request(new BinaryFrameHeader { Opcode = opcode, RequestId = 1, Version = version },
            BinaryFrames.Bytes(key), BinaryFrames.Bytes(value));

    /// <summary>LINK_CHALLENGE: returns the orchestrator's nonce followed by the worker's (32 bytes).</summary>
    private static byte[] Challenge(BinarySession session, out ulong epoch, out byte[] proof)
    {
        byte[] nonce = new byte[ClusterSecret.NonceSize];
        ClusterSecret.NewNonce(nonce);
        (BinaryFrameHeader header, byte[] value) = RunWithValue(session,
            BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.LinkChallenge, RequestId = 1 }, default, nonce));
        Assert.Equal(BinaryStatus.Ok, header.Status);
        epoch = header.Version;
        proof = value[ClusterSecret.NonceSize..];
        return [.. nonce, .. value[..ClusterSecret.NonceSize]];
    }

    private static BinaryFrameHeader Join(BinarySession session, ClusterSecret? secret, byte[] nonces, ulong epoch)
    {
        byte[] proof = new byte[secret == null ? 0 : ClusterSecret.ProofSize];
        secret?.ProveOrchestrator(nonces.AsSpan(0, 16), nonces.AsSpan(16), epoch, proof);
        return Run(session, BinaryFrames.Request(new BinaryFrameHeader { Opcode = BinaryOpcode.LinkJoin, RequestId = 1, Version = epoch },
            default, proof));
    }

    private static BinaryFrameHeader Run(BinarySession session, byte[] request) => RunWithValue(session, request).Header;

    private static (BinaryFrameHeader Header, byte[] Value) RunWithValue(BinarySession session, byte[] request)
    {
        var output = new OutputBuffer(64 * 1024, 1 << 20);
        Assert.Equal(request.Length, session.Process(request, output));
        ReadOnlySpan<byte> written = output.Bytes.AsSpan(output.SentOffset, output.Pending);
        Assert.Equal(OperationStatus.Done, BinaryCodec.TryParseReply(written, out BinaryFrame frame, out int length));
        Assert.Equal(written.Length, length);
        return (frame.Header, frame.Value.ToArray());
    }
}
