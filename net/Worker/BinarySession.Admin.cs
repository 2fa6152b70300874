using EchoCache.Engine;
using EchoCache.Net.Protocol;
using EchoCache.Net.Server;

namespace EchoCache.Net.Worker;

// STATS and HEALTH: what a worker says about itself.
public sealed partial class BinarySession
{
    private void Stats(in BinaryFrameHeader request, OutputBuffer output)
    {
        EngineStats engineStats = engine.GetStats();
        // One frame per counter (key = name, value = decimal text), then an end frame without More.
        Counter(output, request, "items"u8, engineStats.Items);
        Counter(output, request, "tombstones"u8, engineStats.Tombstones);
        Counter(output, request, "hits"u8, engineStats.Hits);
        Counter(output, request, "misses"u8, engineStats.Misses);
        Counter(output, request, "evictions"u8, engineStats.Evictions);
        Counter(output, request, "expirations"u8, engineStats.Expirations);
        Counter(output, request, "pages_moved"u8, engineStats.PagesMoved);
        Counter(output, request, "memory_used"u8, engineStats.NativeBytes);
        Counter(output, request, "memory_limit"u8, engineStats.PageLimit * EngineLimits.PageSize);
        Counter(output, request, "connections"u8, stats.Connections);
        Counter(output, request, "commands"u8, stats.CommandsProcessed);
        Counter(output, request, "uptime_ms"u8, (long)stats.Uptime.TotalMilliseconds);
        // Orchestrator links (docs/consistency.md, "Epochs"): the epoch joined, and what was refused.
        Counter(output, request, "epoch"u8, _membership.Epoch);
        Counter(output, request, "link_joins"u8, _membership.Joins);
        Counter(output, request, "link_joins_refused"u8, _membership.RefusedJoins);
        Counter(output, request, "requests_refused"u8, _membership.RefusedRequests);
        // The .NET side of the process: the hot path allocates nothing on the managed heap (tests hold it to that).
        Counter(output, request, "managed_allocated_bytes"u8, GC.GetTotalAllocatedBytes(precise: true));
        Counter(output, request, "managed_collections"u8, GC.CollectionCount(0));
        Reply(output, request.ReplyWith(BinaryStatus.Ok), default, default);
    }

    private static void Counter(OutputBuffer output, in BinaryFrameHeader request, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> text = stackalloc byte[Int64Text.MaxLength];
        int length = Int64Text.Format(value, text);
        Reply(output, request.ReplyWith(BinaryStatus.Ok) with { Flags = BinaryFrameFlags.More }, name, text[..length]);
    }

    private void Health(in BinaryFrameHeader request, OutputBuffer output)
    {
        EngineStats engineStats = engine.GetStats();
        var health = new BinaryHealth
        {
            InstanceId = stats.InstanceId,
            UptimeMs = (ulong)stats.Uptime.TotalMilliseconds,
            Items = (ulong)engineStats.Items,
            MemoryUsed = (ulong)engineStats.NativeBytes,
            MemoryLimit = (ulong)(engineStats.PageLimit * EngineLimits.PageSize),
        };
        Span<byte> value = stackalloc byte[BinaryHealth.Size];
        health.TryWrite(value, out int written);
        Reply(output, request.ReplyWith(BinaryStatus.Ok), default, value[..written]);
    }
}
