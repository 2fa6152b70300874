namespace EchoCache.Net.Worker;

/// <summary>
/// When a session prefetches the keys of pipelined requests, or of a multi-key command, before running them
/// (<see cref="RespSession"/>, <see cref="BinarySession"/>): with many requests in one read, or many keys in one
/// request, the hash-bucket misses of their lookups, most of a lookup's cost in a large table, then overlap
/// rather than come one after another (docs/memory.md, open point 1).
/// </summary>
internal static class PipelinePrefetch
{
    /// <summary>Requests whose keys are prefetched at a time: enough to overlap the misses, few enough that the
    /// first bucket is still cached when its request runs.</summary>
    public const int Batch = 16;

    /// <summary>Input shorter than this holds one request or a few small ones, with no misses worth overlapping.</summary>
    public const int MinInput = 256;

    /// <summary>How many keys ahead of the one being looked up a multi-key command (MGET, MSET) prefetches.</summary>
    public const int KeyDistance = 8;
}
