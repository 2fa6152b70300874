using System.Net;
using System.Net.Sockets;
using EchoCache.Net.Protocol;
using EchoCache.Net.Security;
using EchoCache.Net.Server;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Compares the two copies of every slot of a cluster by digest, and repairs nothing: for a fault campaign, a test
/// or an operator who wants to know whether the copies are identical (docs/consistency.md, "Copy check"; the
/// orchestrator's own check, <see cref="CopyCheck"/>, repairs what it finds).
/// </summary>
/// <remarks>
/// <para>
/// Given the workers in the orchestrator's command-line order (which fixes the <see cref="SlotMap"/>) and the cluster
/// secret (null for workers without one), it opens one link to each worker as an orchestrator does
/// (<see cref="LinkHandshake"/>: the secret proved both ways), sends each one DIGEST (docs/protocol.md 5.4) for every
/// slot, all workers at once, and compares, for each slot, the count and hash sum of the live items its primary and
/// its partner hold. It counts every version (no cutoff) and leaves out live items expiring within
/// <see cref="ExpiryMargin"/> of now, which one copy's background sweep could drop before the other's walk.
/// </para>
/// <para>
/// <b>Epoch.</b> Each link joins its worker at the epoch that worker has joined already (the LINK_CHALLENGE answer
/// says it; 1 for a worker nobody has joined), never a newer one: the audit fences nobody out, and an orchestrator
/// running meanwhile keeps serving. It is meant to run when no writes flow: after the orchestrator was stopped, or
/// while it is running but idle (every acknowledged write is then on both copies; an eviction's delete or a decided
/// write's outcome reaches the second copy within milliseconds of its acknowledgement). There is no barrier against
/// writes in flight, so a slot written during the walks may show as differing though it does not; run it again (or
/// use <see cref="Attempts"/>) to tell such a race from a real difference, which stays.
/// </para>
/// <para>
/// A worker that cannot be reached, refuses the link (another secret, or a newer orchestrator joining between its
/// challenge and join) or does not answer within <see cref="Timeout"/> is reported in
/// <see cref="CopyAuditWorker.Failure"/>, and the slots it holds are left unchecked (<see cref="CopyAuditResult.IsComplete"/>
/// is then false).
/// </para>
/// <code>
/// var audit = new CopyAudit([new IPEndPoint(IPAddress.Loopback, 3100), new IPEndPoint(IPAddress.Loopback, 3101)]);
/// CopyAuditResult result = await audit.RunAsync();
/// if (!result.Identical) Console.Error.Write(result.Describe());
/// </code>
/// </remarks>
public sealed class CopyAudit
{
    private readonly IPEndPoint[] _workers;
    private readonly ClusterSecret? _secret;

    /// <summary>
    /// An audit of the cluster of <paramref name="workers"/> (at least 2, in the orchestrator's command-line order),
    /// whose workers hold <paramref name="secret"/> (null: they have none).
    /// </summary>
    public CopyAudit(IReadOnlyList<IPEndPoint> workers, ClusterSecret? secret = null)
    {
        ArgumentNullException.ThrowIfNull(workers);
        Map = new SlotMap(workers.Count);
        _workers = [.. workers];
        _secret = secret;
    }

    /// <summary>The slot map of the cluster's worker count.</summary>
    public SlotMap Map { get; }

    /// <summary>Longest a worker may take to answer its digest (a walk of its whole table). Default 5 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Live items expiring within this long of the audit's start are not counted. Default 10 s.</summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Audits run until one finds no differing slot, at most this many, <see cref="RetryDelay"/> apart; the result is
    /// the last one's. Default 1. More tell a write racing the walks (gone on the next) from a real difference (stays).
    /// </summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The pause between two <see cref="Attempts"/>. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Runs the audit (<see cref="Attempts"/> times at most).</summary>
    public async Task<CopyAuditResult> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Attempts, 1);
        CopyAuditResult result = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; attempt < Attempts && result.Differences.Count > 0; attempt++)
        {
            await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            result = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    private async Task<CopyAuditResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var loops = new EventLoopGroup(1, "copy audit");
        long horizon = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)ExpiryMargin.TotalMilliseconds;
        var answers = await Task.WhenAll(_workers.Select((endPoint, index) =>
            DigestOfAsync(index, endPoint, loops[0], horizon, cancellationToken))).ConfigureAwait(false);

        var differences = new List<SlotDifference>();
        int compared = 0, skipped = 0;
        for (int slot = 0; slot < SlotMap.SlotCount; slot++)
        {
            int first = Map.PrimaryOf(slot), second = Map.PartnerOf(slot);
            SlotDigest? a = answers[first].Digest, b = answers[second].Digest;
            if (a == null || b == null)
            {
                skipped++;
                continue;
            }
            compared++;
            if (a.CountOf(slot) != b.CountOf(slot) || a.SumOf(slot) != b.SumOf(slot))
            {
                differences.Add(new SlotDifference(slot, first, second, a.CountOf(slot), b.CountOf(slot)));
            }
        }
        var workers = new CopyAuditWorker[_workers.Length];
        for (int i = 0; i < workers.Length; i++)
        {
            (SlotDigest? digest, ulong epoch, string? failure) = answers[i];
            ulong stray = 0;
            for (int slot = 0; digest != null && slot < SlotMap.SlotCount; slot++)
            {
                if (!Map.Holds(i, slot))
                {
                    stray += digest.CountOf(slot);
                }
            }
            workers[i] = new CopyAuditWorker(i, _workers[i], epoch, digest?.Items ?? 0, digest?.HighestVersion ?? 0, stray, failure);
        }
        return new CopyAuditResult(workers, differences, compared, skipped);
    }

    /// <summary>One worker's digest of every slot, over a link of its own joined at the worker's own epoch.</summary>
    private async Task<(SlotDigest? Digest, ulong Epoch, string? Failure)> DigestOfAsync(int index, IPEndPoint endPoint,
        EventLoop loop, long horizon, CancellationToken cancellationToken)
    {
        WorkerLink link;
        try
        {
            link = await WorkerLink.ConnectAsync(endPoint, loop, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return (null, 0, $"unreachable: {e.Message}");
        }
        using (link)
        {
            LinkHandshake handshake = await LinkHandshake.ChallengeAsync(link, _secret).ConfigureAwait(false);
            if (handshake.Failure != null)
            {
                return (null, 0, handshake.Failure);
            }
            // Its own epoch fences nobody; a worker nobody has joined (epoch 0) is joined at 1, below every real
            // orchestrator's epoch (Unix milliseconds at least), since LINK_JOIN takes no epoch 0.
            ulong epoch = Math.Max(handshake.WorkerEpoch, 1);
            if (!await handshake.JoinAsync(_secret, epoch).ConfigureAwait(false))
            {
                return (null, 0, handshake.Failure);
            }
            var reply = new DigestReply();
            var request = new BinaryFrameHeader { Opcode = BinaryOpcode.Digest, Version = ulong.MaxValue, Expiry = horizon };
            if (!link.Send(request, default, default, reply, 0))
            {
                return (null, epoch, "the connection failed before its digest");
            }
            Task finished = await Task.WhenAny(reply.Answer, Task.Delay(Timeout, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (finished != reply.Answer)
            {
                return (null, epoch, $"no digest within {Timeout.TotalSeconds:F0} s");
            }
            SlotDigest? digest = await reply.Answer.ConfigureAwait(false);
            return digest == null
                ? (null, epoch, $"its digest failed ({reply.Status}{(reply.Status == BinaryStatus.Ok ? ", malformed" : "")})")
                : (digest, epoch, null);
        }
    }
}
