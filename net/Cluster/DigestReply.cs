using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>The answer to one DIGEST request a copy check awaits: the worker's per-slot digest.</summary>
internal sealed class DigestReply : IWorkerReplyTarget
{
    private readonly TaskCompletionSource<SlotDigest?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The digest; null when the link failed, or the worker answered an error or a malformed digest.</summary>
    public Task<SlotDigest?> Answer => _answer.Task;

    /// <summary>The reply's status, once answered (SERVER_ERROR for a link that failed).</summary>
    public BinaryStatus Status { get; private set; } = BinaryStatus.ServerError;

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (frame.Header.Has(BinaryFrameFlags.More))
        {
            return; // a DIGEST has one reply frame; anything before it is not its answer
        }
        Status = frame.Header.Status;
        _answer.TrySetResult(frame.Header.Status == BinaryStatus.Ok ? SlotDigest.TryRead(frame.Value) : null);
    }

    public void OnLinkFailed(long token) => _answer.TrySetResult(null);
}
