using EchoCache.Net.Protocol;
using EchoCache.Net.Security;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Makes a new connection to a worker an orchestrator link (docs/protocol.md, "LINK_CHALLENGE"): first
/// <see cref="ChallengeAsync"/> (both sides' nonces; the worker's epoch and its proof of the cluster secret), then,
/// once the orchestrator knows its epoch, <see cref="JoinAsync"/> (its own proof, covering the epoch). A link carries
/// no other request before it has joined.
/// </summary>
internal sealed class LinkHandshake : IWorkerReplyTarget
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly byte[] _orchestratorNonce = new byte[ClusterSecret.NonceSize];
    private byte[] _workerNonce = [];
    // The question being asked, and its answer (written on the link's thread before the question completes).
    private TaskCompletionSource<bool>? _pending;
    private BinaryStatus _status;
    private ulong _version;
    private byte[] _value = [];

    private LinkHandshake(WorkerLink link) => Link = link;

    /// <summary>The link being joined.</summary>
    public WorkerLink Link { get; }

    /// <summary>After the challenge: the highest epoch the worker has joined.</summary>
    public ulong WorkerEpoch { get; private set; }

    /// <summary>Why the handshake failed (null while it has not).</summary>
    public string? Failure { get; private set; }

    /// <summary>After a refused join: the newer epoch that fenced this orchestrator out (0 if that was not the reason).</summary>
    public ulong FencedBy { get; private set; }

    /// <summary>
    /// Sends LINK_CHALLENGE and checks the worker's proof: it must hold the same secret as <paramref name="secret"/>,
    /// or, without one, none either. <see cref="Failure"/> says why when it did not.
    /// </summary>
    public static async Task<LinkHandshake> ChallengeAsync(WorkerLink link, ClusterSecret? secret)
    {
        var handshake = new LinkHandshake(link);
        ClusterSecret.NewNonce(handshake._orchestratorNonce);
        if (!await handshake.AskAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.LinkChallenge }, handshake._orchestratorNonce)
                .ConfigureAwait(false))
        {
            return handshake;
        }
        if (handshake._status != BinaryStatus.Ok)
        {
            handshake.Failure = $"it refused the link ({handshake._status}: {System.Text.Encoding.UTF8.GetString(handshake._value)})";
            return handshake;
        }
        byte[] value = handshake._value;
        bool proved = value.Length == ClusterSecret.NonceSize + ClusterSecret.ProofSize;
        if (value.Length != ClusterSecret.NonceSize && !proved)
        {
            handshake.Failure = "its LINK_CHALLENGE answer is malformed";
            return handshake;
        }
        handshake._workerNonce = value[..ClusterSecret.NonceSize];
        handshake.WorkerEpoch = handshake._version;
        if (secret != null && !proved)
        {
            handshake.Failure = "it has no cluster secret (start it with --cluster-secret-file)";
        }
        else if (secret == null && proved)
        {
            handshake.Failure = "it belongs to a cluster with a secret, and this orchestrator has none (--cluster-secret-file)";
        }
        else if (secret != null && !secret.IsWorkerProof(handshake._orchestratorNonce, handshake._workerNonce, value.AsSpan(ClusterSecret.NonceSize)))
        {
            handshake.Failure = "its proof of the cluster secret does not match: it belongs to another cluster";
        }
        return handshake;
    }

    /// <summary>
    /// Sends LINK_JOIN at <paramref name="epoch"/> with this orchestrator's proof; true once the worker has made the
    /// connection this orchestrator's link. Otherwise <see cref="Failure"/> says why, and <see cref="FencedBy"/> is set
    /// when a newer orchestrator holds the worker.
    /// </summary>
    public async Task<bool> JoinAsync(ClusterSecret? secret, ulong epoch)
    {
        var proof = new byte[secret == null ? 0 : ClusterSecret.ProofSize];
        secret?.ProveOrchestrator(_orchestratorNonce, _workerNonce, epoch, proof);
        if (!await AskAsync(new BinaryFrameHeader { Opcode = BinaryOpcode.LinkJoin, Version = epoch }, proof).ConfigureAwait(false))
        {
            return false;
        }
        switch (_status)
        {
            case BinaryStatus.Ok:
                return true;
            case BinaryStatus.Fenced:
                FencedBy = _version;
                Failure = $"a newer orchestrator (epoch {_version}) has joined it";
                return false;
            default:
                Failure = $"it refused to join ({_status}: {System.Text.Encoding.UTF8.GetString(_value)})";
                return false;
        }
    }

    private async Task<bool> AskAsync(BinaryFrameHeader request, byte[] value)
    {
        var answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending = answered;
        if (!Link.Send(request, default, value, this, 0))
        {
            Failure = "the connection failed";
            return false;
        }
        Task finished = await Task.WhenAny(answered.Task, Task.Delay(Timeout)).ConfigureAwait(false);
        if (finished != answered.Task || !answered.Task.Result)
        {
            Failure = finished == answered.Task ? "the connection failed" : $"no answer within {Timeout.TotalSeconds:F0} s";
            return false;
        }
        return true;
    }

    public void OnReply(in BinaryFrame frame, long token)
    {
        _status = frame.Header.Status;
        _version = frame.Header.Version;
        _value = frame.Value.ToArray();
        _pending?.TrySetResult(true);
    }

    public void OnLinkFailed(long token) => _pending?.TrySetResult(false);
}
