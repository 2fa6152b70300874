using EchoCache.Net.Protocol;

namespace EchoCache.Net.Cluster;

/// <summary>
/// Where a worker's reply to one request goes. Called on the link's receive thread: copy what you need out of
/// the frame (its spans point into the receive buffer) and return quickly; never block.
/// </summary>
public interface IWorkerReplyTarget
{
    /// <summary>One reply frame of the request made with <paramref name="token"/> (several for MGET and SNAPSHOT).</summary>
    void OnReply(in BinaryFrame frame, long token);

    /// <summary>The link failed before the request's last reply frame arrived: its outcome is unknown.</summary>
    void OnLinkFailed(long token);
}
