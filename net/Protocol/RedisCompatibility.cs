namespace EchoCache.Net.Protocol;

/// <summary>What our RESP servers (a worker, the orchestrator) say they are to Redis clients.</summary>
internal static class RedisCompatibility
{
    /// <summary>The Redis version we answer as: clients pick features by it, and we behave as 7.0 does.</summary>
    public const string Version = "7.0.0";
}
