namespace EchoCache.CommandLine;

/// <summary>No connection to the cluster could be made; <see cref="Reason"/> says why in a few words.</summary>
internal sealed class ClusterUnreachableException(string reason) : Exception(reason)
{
    /// <summary>Why, e.g. <c>Connection refused</c>.</summary>
    public string Reason => Message;
}
