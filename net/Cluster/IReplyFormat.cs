namespace EchoCache.Net.Cluster;

/// <summary>Formats one completed call's reply into its queue entry's buffer (in the client's protocol).</summary>
internal interface IReplyFormat
{
    /// <summary>Bytes the reply may need at most.</summary>
    int MaxSize(ReplyEntry entry);

    /// <summary>Writes the reply; returns its length.</summary>
    int Write(ReplyEntry entry, Span<byte> destination);

    /// <summary>Adds a group member's outcome to its group's <paramref name="head"/> (<see cref="ReplyQueue.ReserveGroup"/>).</summary>
    void Fold(ReplyEntry head);
}
