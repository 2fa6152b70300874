using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Cluster;

/// <summary>The copy check's log events (docs/consistency.md, "Copy check"), generated at compile time.</summary>
internal static partial class CopyCheckLog
{
    [LoggerMessage(40, LogLevel.Warning,
        "copy check: slot {Slot} differed between worker {First} and worker {Second}: {Items} items repaired ({FromFirst} copied from the first, {FromSecond} from the second); keys: {Keys}")]
    public static partial void Difference(ILogger logger, int slot, int first, int second, int items, int fromFirst, int fromSecond, string keys);

    [LoggerMessage(41, LogLevel.Warning, "copy check: {Slots} more slots differed between worker {First} and worker {Second}: {Items} items repaired")]
    public static partial void MoreDifferences(ILogger logger, int slots, int first, int second, int items);

    [LoggerMessage(42, LogLevel.Warning,
        "copy check: worker {Index} holds version {Version}, above every version this orchestrator has issued ({Last}): a write that did not come from it, which the check cannot compare")]
    public static partial void VersionAhead(ILogger logger, int index, ulong version, ulong last);

    [LoggerMessage(43, LogLevel.Information, "copy check of workers {First} and {Second} skipped: {Reason}")]
    public static partial void Skipped(ILogger logger, int first, int second, string reason);

    [LoggerMessage(44, LogLevel.Debug, "copy check: slot {Slot} of workers {First} and {Second} differed only by writes racing the check")]
    public static partial void Race(ILogger logger, int slot, int first, int second);

    [LoggerMessage(46, LogLevel.Error, "copy check round failed; the next one starts after the interval")]
    public static partial void RoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(45, LogLevel.Debug, "copy check round: {Pairs} pairs compared, {Differences} slots different, {Items} items repaired, in {Milliseconds} ms")]
    public static partial void Round(ILogger logger, int pairs, int differences, long items, long milliseconds);
}
