namespace EchoCache.Net.Client;

/// <summary>A request waiting for its reply frames; multi-frame replies gather until a frame without More.</summary>
internal sealed class PendingRequest() : TaskCompletionSource<IReadOnlyList<EchoReply>>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public List<EchoReply> Frames { get; } = new(1);
}
