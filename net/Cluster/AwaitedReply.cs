using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>A single request whose answer a background task awaits (a FLUSH, a barrier PING).</summary>
internal sealed class AwaitedReply : IWorkerReplyTarget
{
    private readonly TaskCompletionSource<BinaryStatus?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The answer's status, or null when the link failed first.</summary>
    public Task<BinaryStatus?> Answer => _answer.Task;

    public void OnReply(in BinaryFrame frame, long token)
    {
        if (!frame.Header.Has(BinaryFrameFlags.More))
        {
            _answer.TrySetResult(frame.Header.Status);
        }
    }

    public void OnLinkFailed(long token) => _answer.TrySetResult(null);
}
