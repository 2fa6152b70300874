using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EchoCache.Tests.Integration;

/// <summary>
/// The copy check's counters as the orchestrator's INFO reports them (its "# Copies" section,
/// <c>net/Cluster/InfoCall.cs</c>), for tests that wait on what the check has done rather than on time.
/// </summary>
internal sealed partial record CopyCheckCounters(long Rounds, long SlotsChecked, long Differences, long ItemsRepaired,
    long PairsSkipped, long VersionsAhead)
{
    /// <summary>The counters from one INFO on <paramref name="connection"/>.</summary>
    public static CopyCheckCounters Read(RespConnection connection)
    {
        RespReply reply = connection.Call("INFO");
        Assert.True(reply.Type == '$' && reply.Text is not null, $"INFO answered {reply}");
        var fields = Field().Matches(reply.Text).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        long Get(string name) => fields.TryGetValue(name, out long value) ? value : throw new Xunit.Sdk.XunitException($"INFO has no copy_check_{name}:\n{reply.Text}");
        return new CopyCheckCounters(Get("rounds"), Get("slots_checked"), Get("differences"), Get("items_repaired"),
            Get("pairs_skipped"), Get("versions_ahead"));
    }

    /// <summary>As the overload below, on <paramref name="cluster"/>'s orchestrator, showing its log when it fails.</summary>
    public static Task<CopyCheckCounters> WaitUntilAsync(LocalCluster cluster, Func<CopyCheckCounters, bool> condition, TimeSpan timeout, string what) =>
        WaitUntilAsync(cluster.Port, condition, timeout, what, () => cluster.Orchestrator.Output);

    /// <summary>
    /// Polls INFO on <paramref name="port"/> until <paramref name="condition"/> holds, and returns the counters; fails
    /// the test after <paramref name="timeout"/>, saying what it waited for (and showing <paramref name="log"/>).
    /// </summary>
    public static async Task<CopyCheckCounters> WaitUntilAsync(int port, Func<CopyCheckCounters, bool> condition, TimeSpan timeout, string what,
        Func<string>? log = null)
    {
        using RespConnection connection = RespConnection.Connect(port, TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            CopyCheckCounters counters = Read(connection);
            if (condition(counters))
            {
                return counters;
            }
            Assert.True(elapsed.Elapsed < timeout, $"waited {timeout.TotalSeconds:0} s for {what}; INFO still says {counters}; the orchestrator's log:\n{log?.Invoke()}");
            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"^copy_check_(\w+):(-?\d+)\r?$", RegexOptions.Multiline)]
    private static partial Regex Field();
}
