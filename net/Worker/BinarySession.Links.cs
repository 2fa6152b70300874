using System.Buffers.Binary;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

// Orchestrator links: the handshake that makes a connection one (LINK_CHALLENGE, LINK_JOIN), and the admission
// check every request passes (docs/consistency.md, "Epochs").
public sealed partial class BinarySession
{
    // The epoch this connection joined at; 0 when it is not a link (served only when the worker has no secret), -1
    // when it is not a link of a worker that has one (so it never equals the worker's epoch, even before any join).
    private long _linkEpoch = membership is { IsClosed: true } ? -1 : 0;
    // Between LINK_CHALLENGE and LINK_JOIN: the orchestrator's nonce, then the worker's (16 bytes each).
    private byte[]? _nonces;

    /// <summary>
    /// Whether the request may run on this connection; writes the refusal when not. A link of the current
    /// orchestrator, or any connection of an open worker nobody has joined yet, pays one comparison.
    /// </summary>
    private bool Admit(in BinaryFrameHeader header, OutputBuffer output)
    {
        long epoch = _membership.Epoch;
        if (_linkEpoch == epoch || header.Opcode is BinaryOpcode.Ping or BinaryOpcode.LinkChallenge or BinaryOpcode.LinkJoin)
        {
            return true;
        }
        if (_linkEpoch > 0)
        {
            _membership.CountRefusedRequest();
            Span<byte> text = stackalloc byte[96];
            int length = FencedText(epoch, text);
            Reply(output, header.ReplyWith(BinaryStatus.Fenced) with { Version = (ulong)epoch }, default, text[..length]);
            return false;
        }
        if (_membership.IsClosed)
        {
            _membership.CountRefusedRequest();
            Reply(output, header.ReplyWith(BinaryStatus.NotPermitted), default,
                "this worker belongs to a cluster: send commands to its orchestrator"u8);
            return false;
        }
        return true; // an open worker serves anybody
    }

    private static int FencedText(long epoch, Span<byte> text)
    {
        ReadOnlySpan<byte> prefix = "fenced: a newer orchestrator (epoch "u8;
        prefix.CopyTo(text);
        epoch.TryFormat(text[prefix.Length..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        int length = prefix.Length + digits;
        ") has joined this worker"u8.CopyTo(text[length..]);
        return length + ") has joined this worker"u8.Length;
    }

    /// <summary>
    /// LINK_CHALLENGE: value = the orchestrator's nonce. Answers with the worker's epoch (version) and its own nonce,
    /// followed by its proof of the cluster secret when it has one.
    /// </summary>
    private void LinkChallenge(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        if (frame.Value.Length != ClusterSecret.NonceSize)
        {
            Reply(output, header.ReplyWith(BinaryStatus.BadRequest), default, "LINK_CHALLENGE carries a 16-byte nonce"u8);
            return;
        }
        _nonces = new byte[2 * ClusterSecret.NonceSize];
        frame.Value.CopyTo(_nonces);
        Span<byte> workerNonce = _nonces.AsSpan(ClusterSecret.NonceSize);
        ClusterSecret.NewNonce(workerNonce);
        Span<byte> value = stackalloc byte[ClusterSecret.NonceSize + ClusterSecret.ProofSize];
        workerNonce.CopyTo(value);
        int length = ClusterSecret.NonceSize;
        if (_membership.Secret is { } secret)
        {
            secret.ProveWorker(_nonces.AsSpan(0, ClusterSecret.NonceSize), workerNonce, value[length..]);
            length += ClusterSecret.ProofSize;
        }
        Reply(output, header.ReplyWith(BinaryStatus.Ok) with { Version = (ulong)_membership.Epoch }, default, value[..length]);
    }

    /// <summary>
    /// LINK_JOIN: version = the orchestrator's epoch, value = its proof. Makes the connection that orchestrator's
    /// link, raising the worker's epoch to it; refused (NotPermitted) for a proof that does not match, and
    /// (Fenced, with the worker's epoch) for an epoch older than one that joined already.
    /// </summary>
    private void LinkJoin(scoped in BinaryFrame frame, OutputBuffer output)
    {
        BinaryFrameHeader header = frame.Header;
        byte[]? nonces = _nonces;
        _nonces = null; // one join per challenge
        if (nonces == null)
        {
            Reply(output, header.ReplyWith(BinaryStatus.BadRequest), default, "LINK_JOIN without a LINK_CHALLENGE before it"u8);
            return;
        }
        if (header.Version > long.MaxValue)
        {
            Reply(output, header.ReplyWith(BinaryStatus.BadRequest), default, "epoch out of range"u8);
            return;
        }
        if (_membership.Secret is { } secret
            && !secret.IsOrchestratorProof(nonces.AsSpan(0, ClusterSecret.NonceSize), nonces.AsSpan(ClusterSecret.NonceSize),
                header.Version, frame.Value))
        {
            _membership.CountRefusedJoin();
            Reply(output, header.ReplyWith(BinaryStatus.NotPermitted), default,
                "the cluster secret does not match: this worker belongs to another cluster"u8);
            return;
        }
        long epoch = (long)header.Version;
        if (!_membership.TryJoin(epoch))
        {
            long current = _membership.Epoch;
            Span<byte> text = stackalloc byte[96];
            int length = FencedText(current, text);
            Reply(output, header.ReplyWith(BinaryStatus.Fenced) with { Version = (ulong)current }, default, text[..length]);
            return;
        }
        _linkEpoch = epoch;
        _connection?.ExemptFromIdleTimeout(); // an orchestrator's link may be quiet for long; it is never timed out
        Reply(output, header.ReplyWith(BinaryStatus.Ok) with { Version = header.Version }, default, default);
    }
}
